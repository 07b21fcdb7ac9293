using Tap.Cli;
using Tap.Core.Net;

namespace Tap.Tests.CommandLine;

/// <summary>
/// What <c>--stats</c> and <c>--stats-json</c> print (README, tapnet), line for line, with the reporter's clock in
/// the test's hand: rates over the interval since the previous report, totals at exit, hub ports left out.
/// </summary>
public sealed class StatsReporterTests
{
    private sealed class Rig
    {
        public NetStack Stack { get; } = new();
        public StringWriter Out { get; } = new() { NewLine = "\n" };
        public long Now { get; set; } = 50_000;
        public PlainTap T0 { get; }
        public PlainTap T1 { get; }

        public Rig()
        {
            T0 = new PlainTap(Stack, "t0");
            T1 = new PlainTap(Stack, "t1");
            Stack.GetOrCreateHub(0).AddPort("h0", null); // plumbing: never reported
        }

        public StatsReporter Reporter(bool json) => new(Stack, Out, json, () => Now);

        public string[] Take()
        {
            string[] lines = Out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Out.GetStringBuilder().Clear();
            return lines;
        }
    }

    private static void Count(NetClient c, int sent, int sentBytes, int received, int receivedBytes)
    {
        for (int i = 0; i < sent; i++)
        {
            c.Counters.CountSent(sentBytes);
        }
        for (int i = 0; i < received; i++)
        {
            c.Counters.CountReceived(receivedBytes);
        }
    }

    [Fact(DisplayName = "--stats: per netdev, packets and bytes a second each way since the last line, then drops and stalls")]
    public void Rates()
    {
        var rig = new Rig();
        var stats = rig.Reporter(json: false);
        Count(rig.T0, sent: 4, sentBytes: 1500, received: 2, receivedBytes: 60);
        rig.T0.Counters.CountDrop(DropReason.QueueOverflow);
        rig.T0.Counters.CountDrop(DropReason.QueueOverflow);
        rig.T0.Counters.CountDrop(DropReason.NoPeer);
        rig.T0.Counters.EagainStalls = 3;
        rig.T0.Counters.PeerBackpressureStalls = 5;
        rig.Now += 2000;
        stats.Tick();
        Assert.Equal(
        [
            "t0: host->net 2 pkt/s 3.0 kB/s  net->host 1 pkt/s 60 B/s  drops NoPeer=1 QueueOverflow=2  stalls eagain=3 backpressure=5",
            "t1: host->net 0 pkt/s 0 B/s  net->host 0 pkt/s 0 B/s  drops 0  stalls eagain=0 backpressure=0",
        ], rig.Take());

        // The next interval counts only what came since: half a second, 1 packet of 1500 B, 2 GB in by t1.
        Count(rig.T0, sent: 1, sentBytes: 1500, received: 0, receivedBytes: 0);
        Count(rig.T1, sent: 0, sentBytes: 0, received: 1, receivedBytes: 1_000_000_000);
        rig.Now += 500;
        stats.Tick();
        Assert.Equal(
        [
            "t0: host->net 2 pkt/s 3.0 kB/s  net->host 0 pkt/s 0 B/s  drops NoPeer=1 QueueOverflow=2  stalls eagain=3 backpressure=5",
            "t1: host->net 0 pkt/s 0 B/s  net->host 2 pkt/s 2.0 GB/s  drops 0  stalls eagain=0 backpressure=0",
        ], rig.Take());
    }

    [Theory(DisplayName = "--stats: bytes a second in whole B, or kB, MB and GB to one decimal, thresholds at 1000")]
    [InlineData(999, 1000, "1 pkt/s 999 B/s")]
    [InlineData(100, 3000, "0 pkt/s 33 B/s")]
    [InlineData(200, 3000, "0 pkt/s 67 B/s")]
    [InlineData(1000, 1000, "1 pkt/s 1.0 kB/s")]
    [InlineData(999_949, 1000, "1 pkt/s 999.9 kB/s")]
    [InlineData(1_000_000, 1000, "1 pkt/s 1.0 MB/s")]
    [InlineData(1_250_000, 1000, "1 pkt/s 1.3 MB/s")]
    [InlineData(1_000_000_000, 1000, "1 pkt/s 1.0 GB/s")]
    public void ByteUnits(int bytes, int milliseconds, string shown)
    {
        var rig = new Rig();
        var stats = rig.Reporter(json: false);
        Count(rig.T0, sent: 1, sentBytes: bytes, received: 0, receivedBytes: 0);
        rig.Now += milliseconds;
        stats.Tick();
        Assert.StartsWith($"t0: host->net {shown}  net->host", rig.Take()[0], StringComparison.Ordinal);
    }

    /// <summary>A writer that counts its flushes: --stats piped to a file or tee must show each report at once.
    /// </summary>
    private sealed class FlushCounter : StringWriter
    {
        public int Flushes { get; private set; }

        public override void Flush()
        {
            Flushes++;
            base.Flush();
        }
    }

    [Fact(DisplayName = "--stats: each report and the totals are flushed as soon as written")]
    public void Flushed()
    {
        var stack = new NetStack();
        _ = new PlainTap(stack, "t0");
        var o = new FlushCounter();
        var stats = new StatsReporter(stack, o, json: false, () => 0);
        stats.Tick();
        Assert.Equal(1, o.Flushes);
        stats.Summary();
        Assert.Equal(2, o.Flushes);
    }

    [Fact(DisplayName = "--stats: two reports in the same millisecond divide by 1 ms, not by zero")]
    public void SameMillisecond()
    {
        var rig = new Rig();
        var stats = rig.Reporter(json: false);
        Count(rig.T0, sent: 3, sentBytes: 100, received: 0, receivedBytes: 0);
        stats.Tick();
        Assert.StartsWith("t0: host->net 3000 pkt/s 300.0 kB/s", rig.Take()[0], StringComparison.Ordinal);
    }

    [Fact(DisplayName = "--stats: the totals at exit, bytes in the same units")]
    public void Summary()
    {
        var rig = new Rig();
        var stats = rig.Reporter(json: false);
        Count(rig.T0, sent: 2000, sentBytes: 1500, received: 7, receivedBytes: 64);
        rig.T1.Counters.CountDrop(DropReason.RateLimited);
        stats.Summary();
        Assert.Equal(
        [
            "t0: total host->net 2000 pkts 3.0 MB  net->host 7 pkts 448 B  drops 0  stalls eagain=0 backpressure=0",
            "t1: total host->net 0 pkts 0 B  net->host 0 pkts 0 B  drops RateLimited=1  stalls eagain=0 backpressure=0",
        ], rig.Take());
    }

    [Fact(DisplayName = "--stats-json: one object a netdev, every drop reason by name, rates to 3 decimals")]
    public void Json()
    {
        var rig = new Rig();
        var stats = rig.Reporter(json: true);
        Count(rig.T0, sent: 1, sentBytes: 100, received: 2, receivedBytes: 60);
        rig.T0.Counters.CountDrop(DropReason.Oversize);
        rig.T0.Counters.EagainStalls = 1;
        rig.T0.Counters.PeerBackpressureStalls = 2;
        rig.Now += 3000;
        stats.Tick();
        const string Drops = "\"drops\":{\"NoPeer\":0,\"ReceiverLinkDown\":0,\"Rejected\":0,\"QueueOverflow\":0,"
            + "\"Oversize\":1,\"Purged\":0,\"ReadError\":0,\"ShortRead\":0,\"WriteError\":0,\"RateLimited\":0,"
            + "\"NotAFrame\":0}";
        const string None = "\"drops\":{\"NoPeer\":0,\"ReceiverLinkDown\":0,\"Rejected\":0,\"QueueOverflow\":0,"
            + "\"Oversize\":0,\"Purged\":0,\"ReadError\":0,\"ShortRead\":0,\"WriteError\":0,\"RateLimited\":0,"
            + "\"NotAFrame\":0}";
        Assert.Equal(
        [
            "{\"netdev\":\"t0\",\"model\":\"tap\",\"host_to_net_pps\":0.333,\"host_to_net_Bps\":33.333,"
                + "\"net_to_host_pps\":0.667,\"net_to_host_Bps\":40," + Drops
                + ",\"eagain_stalls\":1,\"backpressure_stalls\":2}",
            "{\"netdev\":\"t1\",\"model\":\"tap\",\"host_to_net_pps\":0,\"host_to_net_Bps\":0,"
                + "\"net_to_host_pps\":0,\"net_to_host_Bps\":0," + None + ",\"eagain_stalls\":0,\"backpressure_stalls\":0}",
        ], rig.Take());

        stats.Summary();
        Assert.Equal(
            "{\"netdev\":\"t0\",\"model\":\"tap\",\"host_to_net_packets\":1,\"host_to_net_bytes\":100,"
                + "\"net_to_host_packets\":2,\"net_to_host_bytes\":120," + Drops
                + ",\"eagain_stalls\":1,\"backpressure_stalls\":2}",
            rig.Take()[0]);
    }

    [Fact(DisplayName = "--stats: figures are written the same under a decimal-comma culture")]
    public void Culture()
    {
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            var rig = new Rig();
            var json = rig.Reporter(json: true);
            Count(rig.T0, sent: 1, sentBytes: 1500, received: 0, receivedBytes: 0);
            rig.Now += 3000;
            json.Tick();
            Assert.StartsWith("{\"netdev\":\"t0\",\"model\":\"tap\",\"host_to_net_pps\":0.333,\"host_to_net_Bps\":500,",
                rig.Take()[0], StringComparison.Ordinal);
            // A reporter made now counts from zero: both packets, 3000 B, over its first second.
            var text = rig.Reporter(json: false);
            Count(rig.T0, sent: 1, sentBytes: 1500, received: 0, receivedBytes: 0);
            rig.Now += 1000;
            text.Tick();
            Assert.StartsWith("t0: host->net 2 pkt/s 3.0 kB/s", rig.Take()[0], StringComparison.Ordinal);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = saved;
        }
    }
}
