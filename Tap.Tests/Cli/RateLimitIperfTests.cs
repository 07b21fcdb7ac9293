using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Tap.Tests.Linux;
using Xunit.Abstractions;

namespace Tap.Tests.Cli;

/// <summary>
/// Issue 16 (rate limits) on the real kernel: iperf3 (TCP, A to B, 169.254.41.0/24 between namespaces the test makes) through a
/// hub whose tap t1 is limited on rx, before and after a live change over <c>--control</c>. A frame here is its
/// Ethernet bytes (vnet_hdr off), so the limit is on the wire rate; iperf3 counts TCP payload, 1448 bytes of a
/// 1514-byte frame (MTU 1500, 20 + 20 bytes of headers, 12 of timestamps, 14 of Ethernet), so the goodput to expect
/// is the limit times 1448/1514.
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class RateLimitIperfTests(ITestOutputHelper output)
{
    private const string AddressB = "169.254.41.2";
    private const int Port = 5291;
    private const double PayloadPerFrame = 1448.0 / 1514.0;

    [SkippableFact(DisplayName = "Rate limits (issue 16) on Linux: iperf3 through a limited hub lands within 5% of the limit, also after a live change")]
    public void IperfWithinFivePercent()
    {
        LinuxTestGate.RequireTun(output);
        LinuxTestGate.RequireTool(output, "iperf3", "iperf3");
        using var dir = new TempDir();
        string control = Path.Combine(dir.Path, "control.sock");
        // 20 Mbit/s: 250 000 bytes every 100 ms. A bucket of 100 ms rides out the scheduling delays of a loaded
        // machine (tokens beyond a full bucket are lost); its first burst is under 1% of a 10-second run.
        using var hub = HubTraffic.Start("--control=" + control, "-object",
            "filter-ratelimit,id=r0,netdev=t1,queue=rx,bandwidth.size=250000,bandwidth.refill-time=100");
        output.WriteLine("load average: " + File.ReadAllText("/proc/loadavg").Trim());

        Measure(hub, "20 Mbit/s", 2_500_000, seconds: 10);

        string reply = Request(control,
            """{"execute":"ratelimit-set","arguments":{"id":"r0","bandwidth":{"size":125000}}}""");
        Assert.Equal("""{"return": {}}""", reply);
        Measure(hub, "10 Mbit/s after the change", 1_250_000, seconds: 8);

        var query = JsonNode.Parse(Request(control, """{"execute":"ratelimit-query"}"""))!["return"]![0]!;
        Assert.Equal(125000, (long)query["bandwidth"]!["size"]!);
        Assert.True((long)query["throttles"]! > 0, "the limit never held a frame back");
        output.WriteLine("load average: " + File.ReadAllText("/proc/loadavg").Trim());
    }

    /// <summary>
    /// iperf3 runs until one lands within 5% of the limit; at most three. Above the limit fails at once: no load
    /// makes a limiter pass more than its tokens. Below it may be the machine: a starved sender or forwarder carries
    /// less than any limit (8.8 Mbit/s of 10 once, with a mutation run beside the suite), so such a run is repeated;
    /// a limiter that holds back too much stays below in every run and fails.
    /// </summary>
    private void Measure(HubTraffic hub, string what, long limitBytesPerSecond, int seconds)
    {
        double expected = limitBytesPerSecond * 8 * PayloadPerFrame;
        var runs = new List<string>();
        for (int attempt = 1; attempt <= 3; attempt++)
        {
            double goodput = Iperf(hub, seconds);
            double ratio = goodput / expected;
            string load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            string run = FormattableString.Invariant(
                $"{what}: {goodput / 1e6:F3} Mbit/s is {ratio:P2} of {expected / 1e6:F3} (run {attempt}, load {load})");
            output.WriteLine(run);
            runs.Add(run);
            Assert.True(ratio <= 1.05, run);
            if (ratio >= 0.95)
            {
                return;
            }
        }
        Assert.Fail("below the limit in every run: " + string.Join("; ", runs));
    }

    /// <summary>One iperf3 run of <paramref name="seconds"/>; the receiver's goodput in bits per second.</summary>
    private static double Iperf(HubTraffic hub, int seconds)
    {
        // Under HostCommand's own 30 s, so that timeout(1), not an abandoned `ip netns exec`, ends a stalled iperf3.
        string bound = (seconds + 8).ToString(CultureInfo.InvariantCulture);
        var server = Task.Run(() => hub.B.Exec("timeout", "-k", "2", bound, "iperf3", "-s", "-1", "-B", AddressB,
            "-p", Port.ToString(CultureInfo.InvariantCulture)));
        hub.B.WaitListening("tcp", Port, TimeSpan.FromSeconds(20));
        string json = hub.A.Exec("timeout", "-k", "2", bound, "iperf3", "-c", AddressB, "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-t", seconds.ToString(CultureInfo.InvariantCulture), "-J");
        Assert.True(server.Wait(TimeSpan.FromSeconds(30)), "iperf3 -s did not end");
        return (double)JsonNode.Parse(json)!["end"]!["sum_received"]!["bits_per_second"]!;
    }

    /// <summary>One request on the control socket; its one-line answer (bounded: 10 s).</summary>
    private static string Request(string path, string line)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.ReceiveTimeout = 10_000;
        socket.Connect(new UnixDomainSocketEndPoint(path));
        socket.Send(Encoding.UTF8.GetBytes(line + "\n"));
        var got = new StringBuilder();
        var buffer = new byte[4096];
        while (!got.ToString().EndsWith('\n'))
        {
            int n = socket.Receive(buffer);
            Assert.True(n > 0, "the control socket closed without an answer");
            got.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
        return got.ToString().TrimEnd('\n');
    }
}
