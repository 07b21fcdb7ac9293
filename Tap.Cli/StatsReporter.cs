using System.Globalization;
using System.Text;
using Tap.Core.Net;

namespace Tap.Cli;

/// <summary>
/// Per-netdev traffic figures for a running tapnet: rates every interval (terse lines, or JSON lines), and totals at
/// exit. "host->net" is what a netdev read from its host interface and passed on; "net->host" what it wrote to it.
/// Runs on the loop's thread, so it reads the counters without locks. <paramref name="milliseconds"/> is the clock the
/// rates divide by (a monotonic count of milliseconds; <see cref="Environment.TickCount64"/> unless a test gives one).
/// </summary>
public sealed class StatsReporter(NetStack stack, TextWriter output, bool json, Func<long> milliseconds)
{
    private readonly Dictionary<NetClient, (long Sp, long Sb, long Rp, long Rb)> _last = new();
    private long _lastTicks = milliseconds();

    /// <summary>On the system's monotonic clock.</summary>
    public StatsReporter(NetStack stack, TextWriter output, bool json)
        : this(stack, output, json, static () => Environment.TickCount64)
    {
    }

    /// <summary>One report of the rates since the previous one.</summary>
    public void Tick()
    {
        long now = milliseconds();
        double seconds = Math.Max(0.001, (now - _lastTicks) / 1000.0);
        _lastTicks = now;
        foreach (var c in Backends())
        {
            var n = c.Counters;
            var prev = _last.GetValueOrDefault(c);
            _last[c] = (n.SentPackets, n.SentBytes, n.ReceivedPackets, n.ReceivedBytes);
            double inPps = (n.SentPackets - prev.Sp) / seconds, inBps = (n.SentBytes - prev.Sb) / seconds;
            double outPps = (n.ReceivedPackets - prev.Rp) / seconds, outBps = (n.ReceivedBytes - prev.Rb) / seconds;
            output.WriteLine(json
                ? Json(c, ("host_to_net_pps", inPps), ("host_to_net_Bps", inBps), ("net_to_host_pps", outPps),
                    ("net_to_host_Bps", outBps))
                : $"{c.Name}: host->net {inPps:0} pkt/s {Bytes(inBps)}/s  net->host {outPps:0} pkt/s " +
                    $"{Bytes(outBps)}/s  {Drops(n)}");
        }
        output.Flush();
    }

    /// <summary>Totals since start, one line per netdev (always printed at exit).</summary>
    public void Summary()
    {
        foreach (var c in Backends())
        {
            var n = c.Counters;
            output.WriteLine(json
                ? Json(c, ("host_to_net_packets", n.SentPackets), ("host_to_net_bytes", n.SentBytes),
                    ("net_to_host_packets", n.ReceivedPackets), ("net_to_host_bytes", n.ReceivedBytes))
                : $"{c.Name}: total host->net {n.SentPackets} pkts {Bytes(n.SentBytes)}  net->host " +
                    $"{n.ReceivedPackets} pkts {Bytes(n.ReceivedBytes)}  {Drops(n)}");
        }
        output.Flush();
    }

    /// <summary>Every client but hub ports (they are plumbing), one per netdev queue.</summary>
    private IEnumerable<NetClient> Backends() => stack.Clients.Where(c => c is not HubPort);

    private static string Drops(NetCounters n)
    {
        var sb = new StringBuilder("drops");
        bool any = false;
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            long d = n.Drops(reason);
            if (d > 0)
            {
                sb.Append(' ').Append(reason).Append('=').Append(d);
                any = true;
            }
        }
        if (!any)
        {
            sb.Append(" 0");
        }
        sb.Append($"  stalls eagain={n.EagainStalls} backpressure={n.PeerBackpressureStalls}");
        return sb.ToString();
    }

    private static string Bytes(double b) => b switch
    {
        >= 1e9 => (b / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + " GB",
        >= 1e6 => (b / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        >= 1e3 => (b / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " kB",
        _ => b.ToString("0", CultureInfo.InvariantCulture) + " B",
    };

    private static string Json(NetClient c, params (string Key, double Value)[] fields)
    {
        var sb = new StringBuilder("{\"netdev\":\"").Append(c.Name)
            .Append("\",\"model\":\"").Append(c.Model).Append('"');
        foreach (var (key, value) in fields)
        {
            sb.Append(",\"").Append(key).Append("\":").Append(value.ToString("0.###", CultureInfo.InvariantCulture));
        }
        var n = c.Counters;
        sb.Append(",\"drops\":{");
        sb.AppendJoin(',', Enum.GetValues<DropReason>().Select(r => $"\"{r}\":{n.Drops(r)}"));
        sb.Append($"}},\"eagain_stalls\":{n.EagainStalls},\"backpressure_stalls\":{n.PeerBackpressureStalls}}}");
        return sb.ToString();
    }
}
