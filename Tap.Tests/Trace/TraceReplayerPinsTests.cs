using Tap.Trace;

namespace Tap.Tests.Trace;

/// <summary>
/// Pins of the replayer (docs/trace-format.md §5, §6) left open by the 2026-12-03 mutation run: each event a trace
/// can hold is replayed as the front end or the loop would make it, and an event the replayed core cannot take is a
/// divergence or a bad trace naming the record.
/// </summary>
public sealed class TraceReplayerPinsTests
{
    // Seed 1 of the hub case for 30 steps: 13 header records; E netdev 0 is record 14 (index 13); N netdev 0 ok 1 is
    // record 31; E plan-offloads record 54 and its offload calls 55-60 (E readable 3 is 61); E signal 15 record 125;
    // 131 records in all.
    private static readonly Lazy<string> Base = new(() => SimTraceCases.Record(SimTraceCases.All["hub"], 1, 30));

    private static ReplayOutcome Replay(TraceEdit edit) => TraceReplayer.Replay(TraceFile.Parse(edit.Bytes));

    private static TraceEdit Inserted(int index, string ev)
    {
        var edit = TraceEdit.Of(Base.Value);
        edit.Records.Insert(index, new TraceEdit.Rec('E', ev));
        return edit;
    }

    private static ReplayOutcome BadTrace(TraceEdit edit, string message)
    {
        var outcome = Replay(edit);
        Assert.Equal(message, outcome.Message);
        Assert.Equal(ReplayVerdict.BadTrace, outcome.Verdict);
        return outcome;
    }

    private static string[] Diverged(TraceEdit edit, long seq)
    {
        var outcome = Replay(edit);
        Assert.Equal(ReplayVerdict.Diverged, outcome.Verdict);
        var report = outcome.Message.Split('\n');
        Assert.Equal($"replay diverged at record {seq} (line {seq + 1})", report[0]);
        return report;
    }

    [Fact(DisplayName = "Replay: a clean trace says how many records and events matched, and the records' span")]
    public void MatchedMessage()
    {
        var edit = TraceEdit.Of(Base.Value);
        Assert.Equal("E netdev 0", edit.Records[13].ToString());
        Assert.Equal("Z end", edit.Records[130].ToString());
        var outcome = Replay(edit);
        Assert.Equal(ReplayVerdict.Matched, outcome.Verdict);
        Assert.Equal(edit.Records.Count(r => r.Kind == 'E'), outcome.Events);
        Assert.Equal(
            $"117 records and {outcome.Events} events replayed, every one as recorded (records 1-131)",
            outcome.Message);
    }

    [Fact(DisplayName = "Replay: readiness of an fd the core does not watch diverges: 'nothing: fd 9 is not watched'")]
    public void ReadableUnwatched()
    {
        var report = Diverged(Inserted(31, "readable 9"), 32);
        Assert.Equal("  recorded: E readable 9", report[1]);
        Assert.Equal("  replayed: nothing: fd 9 is not watched by the replayed core", report[2]);
    }

    [Fact(DisplayName = "Replay: writability of an fd the core watches only for reading diverges, naming the fd")]
    public void WritableNotWanted()
    {
        var report = Diverged(Inserted(31, "writable 3"), 32);
        Assert.Equal("  recorded: E writable 3", report[1]);
        Assert.Equal("  replayed: nothing: the replayed core does not watch fd 3 for writing", report[2]);
    }

    [Theory(DisplayName = "Replay: a netdev event naming no header netdev is a bad trace naming the record")]
    [InlineData(4)]
    [InlineData(-1)]
    public void NetdevOutOfRange(int index)
    {
        var edit = TraceEdit.Of(Base.Value);
        edit.Records[13] = new TraceEdit.Rec('E', $"netdev {index}");
        BadTrace(edit, $"line 15 (record 14): netdev {index} names no -netdev of the header that parses");
    }

    [Fact(DisplayName = "Replay: a control operation this version does not know is a bad trace quoting it")]
    public void UnknownControl() =>
        BadTrace(Inserted(60, "control \"t0\" 0 frobnicate 1"),
            "line 62 (record 61): unknown control operation 'frobnicate'");

    [Fact(DisplayName = "Replay: control of a client that is no tap queue is a bad trace naming the client")]
    public void ControlOfHubport() =>
        BadTrace(Inserted(60, "control \"h0\" 0 enable 0"),
            "line 62 (record 61): control names \"h0\" 0, which is not a tap queue");

    [Fact(DisplayName = "Replay: a capture of a client the core does not have diverges, naming the client")]
    public void CaptureOfNoClient()
    {
        var report = Diverged(Inserted(60, "capture \"zz\" 0"), 61);
        Assert.Equal("  replayed: nothing: the replayed core has no client 'zz' 0", report[2]);
    }

    [Fact(DisplayName = "Replay: a rate limit on queue 'up' is a bad trace; 'tx' is a queue the core is asked to " +
        "limit")]
    public void RateLimitQueues()
    {
        BadTrace(Inserted(60, "ratelimit-add \"r0\" \"t0\" up 1000 0 100 0 0 0"),
            "line 62 (record 61): unknown rate limit queue 'up'");
        // The recorded trace lacks the core's answer to the added limit: the replay diverges there, past the event.
        var report = Diverged(Inserted(60, "ratelimit-add \"r0\" \"t0\" tx 1000 0 100 0 0 0"), 62);
        Assert.Equal("  recorded: E readable 3", report[1]);
    }

    [Fact(DisplayName = "Replay: signal 0 is no signal, a bad trace naming the record")]
    public void SignalZero()
    {
        var edit = TraceEdit.Of(Base.Value);
        Assert.Equal("E signal 15", edit.Records[124].ToString());
        edit.Records[124] = new TraceEdit.Rec('E', "signal 0");
        BadTrace(edit, "line 126 (record 125): signal 0 is no signal");
    }

    [Fact(DisplayName = "Replay: a trace stopped by 'stop' instead of a signal replays, and re-records, as written")]
    public void StopEvent()
    {
        var edit = TraceEdit.Of(Base.Value);
        edit.Records[124] = new TraceEdit.Rec('E', "stop");
        var again = new MemoryTraceSink();
        var outcome = TraceReplayer.Replay(TraceFile.Parse(edit.Bytes), rerecord: again);
        Assert.Equal(ReplayVerdict.Matched, outcome.Verdict);
        Assert.Equal(edit.Text, again.Text);
    }

    [Fact(DisplayName = "Replay: a capture before the offload plan replays, and re-records, with its capture event")]
    public void CaptureReplays()
    {
        var edit = Inserted(53, "capture \"t0\" 0");
        var again = new MemoryTraceSink();
        var outcome = TraceReplayer.Replay(TraceFile.Parse(edit.Bytes), rerecord: again);
        Assert.Contains("E capture \"t0\" 0", again.Text, StringComparison.Ordinal);
        Assert.Equal(ReplayVerdict.Diverged, outcome.Verdict);
    }

    [Fact(DisplayName = "Replay: a netdev that failed when recorded is reported failed, with index and QEMU's message")]
    public void NetdevFailedReported()
    {
        var trace = TraceFile.Parse(SimTraceCases.Bytes(SimTraceCases.Record(SimTraceCases.All["init-error"], 1, 30)));
        var failed = new List<(int, string)>();
        var outcome = TraceReplayer.Replay(trace, netdevFailed: (i, m) => failed.Add((i, m)));
        Assert.True(outcome.Ok, outcome.Message);
        Assert.Equal([(1, "network script /sim/fails failed with status 768 (exit code 3)")], failed);
    }
}
