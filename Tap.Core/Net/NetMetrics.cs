using System.Diagnostics.Metrics;

namespace Tap.Core.Net;

/// <summary>
/// Publishes every client's <see cref="NetCounters"/> and queue length through System.Diagnostics.Metrics, as the
/// meter <see cref="MeterName"/>. Every instrument is observable: it reads the counters when a listener collects
/// (dotnet-counters, an exporter), so the per-packet path does nothing more with metrics on than off.
/// Direction is the netdev's, as its counters and the kernel's tap statistics count it: <c>rx</c> is what the
/// netdev received from its peer and wrote to its host interface, <c>tx</c> what it read there and sent on.
/// </summary>
/// <remarks>
/// Collection runs on the listener's thread while the loop's thread counts: each 64-bit counter is read whole
/// (aligned long reads are atomic on 64-bit hosts), and the client list is walked by index, so a netdev deleted
/// during a collection can be missed by that one collection, never fault it.
/// </remarks>
public sealed class NetMetrics : IDisposable
{
    /// <summary>The meter's name: <c>dotnet-counters monitor --counters tapnet</c>.</summary>
    public const string MeterName = "tapnet";

    private static readonly DropReason[] Reasons = Enum.GetValues<DropReason>();
    private static readonly string[] ReasonTags = Reasons.Select(ReasonTag).ToArray();
    private static readonly string[] ProgramTags = ["up-script", "down-script", "bridge-helper"];

    private readonly NetStack _stack;
    private readonly Meter _meter;

    /// <summary>This instance's meter (a process may hold several stacks, each with a meter of that name).</summary>
    internal Meter Meter => _meter;

    public NetMetrics(NetStack stack)
    {
        _stack = stack;
        _meter = new Meter(MeterName);
        _meter.CreateObservableCounter("tapnet.packets", () => Directional(c => c.SentPackets, c => c.ReceivedPackets),
            "{packet}", "Packets a netdev passed on: tx read from its host interface, rx written to it");
        _meter.CreateObservableCounter("tapnet.bytes", () => Directional(c => c.SentBytes, c => c.ReceivedBytes),
            "By", "Bytes of those packets");
        _meter.CreateObservableCounter("tapnet.drops", Drops,
            "{packet}", "Packets lost, by reason");
        _meter.CreateObservableCounter("tapnet.stalls", Stalls,
            "{stall}", "eagain: a write to the host returned EAGAIN (R13); back-pressure: the peer queued (R21)");
        _meter.CreateObservableGauge("tapnet.queue.length", QueueLengths,
            "{packet}", "Packets waiting in a netdev's incoming queue for delivery to it");
        _meter.CreateObservableCounter("tapnet.program.runs", ProgramRuns,
            "{run}", "Network scripts and bridge helper runs, by program and how they ended");
    }

    /// <summary>Every live client with its queue index (its rank among the clients of the same netdev id).</summary>
    private List<(NetClient Client, int Queue)> Clients()
    {
        var list = new List<(NetClient, int)>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var clients = _stack.Clients;
        for (int i = 0; i < clients.Count; i++)
        {
            NetClient c;
            try
            {
                c = clients[i];
            }
            catch (ArgumentOutOfRangeException)
            {
                break; // the loop deleted netdevs while we walked the list
            }
            int queue = seen.GetValueOrDefault(c.Name);
            seen[c.Name] = queue + 1;
            list.Add((c, queue));
        }
        return list;
    }

    private List<Measurement<long>> Directional(Func<NetCounters, long> tx, Func<NetCounters, long> rx)
    {
        var m = new List<Measurement<long>>();
        foreach (var (c, q) in Clients())
        {
            m.Add(new(tx(c.Counters), Tags(c, q, ("direction", "tx"))));
            m.Add(new(rx(c.Counters), Tags(c, q, ("direction", "rx"))));
        }
        return m;
    }

    private List<Measurement<long>> Drops()
    {
        var m = new List<Measurement<long>>();
        foreach (var (c, q) in Clients())
        {
            for (int r = 0; r < Reasons.Length; r++)
            {
                m.Add(new(c.Counters.Drops(Reasons[r]), Tags(c, q, ("reason", ReasonTags[r]))));
            }
        }
        return m;
    }

    private List<Measurement<long>> Stalls()
    {
        var m = new List<Measurement<long>>();
        foreach (var (c, q) in Clients())
        {
            m.Add(new(c.Counters.EagainStalls, Tags(c, q, ("kind", "eagain"))));
            m.Add(new(c.Counters.PeerBackpressureStalls, Tags(c, q, ("kind", "back-pressure"))));
        }
        return m;
    }

    private List<Measurement<int>> QueueLengths()
    {
        var m = new List<Measurement<int>>();
        foreach (var (c, q) in Clients())
        {
            m.Add(new(c.IncomingQueue.Count, Tags(c, q, ("direction", "rx"))));
        }
        return m;
    }

    private List<Measurement<long>> ProgramRuns()
    {
        var m = new List<Measurement<long>>();
        foreach (var kind in Enum.GetValues<ProgramKind>())
        {
            for (int o = 0; o < ProgramOutcomes.Outcomes.Length; o++)
            {
                m.Add(new(_stack.Programs.Count(kind, o),
                    [new("program", ProgramTags[(int)kind]), new("outcome", ProgramOutcomes.Outcomes[o])]));
            }
        }
        return m;
    }

    private static KeyValuePair<string, object?>[] Tags(NetClient c, int queue, (string Key, string Value) extra) =>
    [
        new("netdev", c.Name),
        new("queue", queue),
        new(extra.Key, extra.Value),
    ];

    /// <summary>NoPeer becomes <c>no-peer</c>: the tag values are lower-case words, as Prometheus labels go.</summary>
    private static string ReasonTag(DropReason reason)
    {
        var name = reason.ToString();
        var sb = new System.Text.StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                sb.Append('-');
            }
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }

    public void Dispose() => _meter.Dispose();
}
