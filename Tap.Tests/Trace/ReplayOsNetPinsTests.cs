using Tap.Core.Os;
using Tap.Trace;

namespace Tap.Tests.Trace;

/// <summary>
/// Pins of the replayed kernel (docs/trace-format.md §4.1, §4.2, §6) left open by the 2026-12-03 mutation run: a
/// record where the core does something else diverges, a call record the kernel could not have written is a bad
/// trace, and hashed writes match by length.
/// </summary>
public sealed class ReplayOsNetPinsTests
{
    private static readonly Lazy<string> Full = new(() => SimTraceCases.Record(SimTraceCases.All["hub"], 1, 30));

    private static readonly Lazy<string> Hashed =
        new(() => SimTraceCases.Record(SimTraceCases.All["hub-hashed"], 1, 30));

    private static ReplayOutcome Replay(TraceEdit edit) => TraceReplayer.Replay(TraceFile.Parse(edit.Bytes));

    [Fact(DisplayName = "Replay kernel: a note where the core waits for an event diverges: 'nothing: the core waits'")]
    public void NoteWhereEventIs()
    {
        var edit = TraceEdit.Of(Full.Value);
        edit.Records.Insert(13, new TraceEdit.Rec('N', "stray"));
        var outcome = Replay(edit);
        Assert.Equal(ReplayVerdict.Diverged, outcome.Verdict);
        Assert.Equal(
            "replay diverged at record 14 (line 15)\n" +
            "  recorded: N stray\n" +
            "  replayed: nothing: the core waits for its next event",
            outcome.Message);
    }

    [Fact(DisplayName = "Replay kernel: a note other than the core's outcome diverges, showing both")]
    public void OtherNote()
    {
        var edit = TraceEdit.Of(Full.Value);
        Assert.Equal("N netdev 0 ok 1", edit.Records[30].ToString());
        edit.Records[30] = new TraceEdit.Rec('N', "netdev 0 ok 2");
        var outcome = Replay(edit);
        Assert.Equal(ReplayVerdict.Diverged, outcome.Verdict);
        var report = outcome.Message.Split('\n');
        Assert.Equal(["replay diverged at record 31 (line 32)", "  recorded: N netdev 0 ok 2",
            "  replayed: N netdev 0 ok 1", "  the records before it:"], report[..4]);
    }

    [Fact(DisplayName = "Replay kernel: the core's outcome recorded as an event, not a note, diverges: kinds count")]
    public void NoteOfAnotherKind()
    {
        var edit = TraceEdit.Of(Full.Value);
        edit.Records[30] = new TraceEdit.Rec('E', "netdev 0 ok 1");
        var outcome = Replay(edit);
        Assert.Equal(ReplayVerdict.Diverged, outcome.Verdict);
        Assert.StartsWith("replay diverged at record 31 (line 32)\n  recorded: E netdev 0 ok 1\n" +
            "  replayed: N netdev 0 ok 1\n", outcome.Message, StringComparison.Ordinal);
    }

    [Fact(DisplayName = "Replay kernel: a write that returns more than was offered is a bad trace naming the record " +
        "and Write")]
    public void WriteLongerThanOffered()
    {
        var edit = TraceEdit.Of(Full.Value);
        int write = edit.IndexOf("C Write 4 x: ");
        string body = edit.Records[write].Body;
        Assert.EndsWith(" -> ok 944", body, StringComparison.Ordinal);
        edit.Records[write] = new TraceEdit.Rec('C', TraceEdit.WithToken(body, 6, "945"));
        var outcome = Replay(edit);
        Assert.Equal(ReplayVerdict.BadTrace, outcome.Verdict);
        Assert.Equal(
            $"line {TraceEdit.LineOf(write)} (record {TraceEdit.SeqOf(write)}): Write: the write returned 945 bytes " +
            "of 944 offered", outcome.Message);
    }

    [Fact(DisplayName = "Replay kernel: a Watch record with a result is a bad trace: the call has none")]
    public void WatchWithResult()
    {
        var edit = TraceEdit.Of(Full.Value);
        Assert.Equal("C Watch 3 1 0", edit.Records[28].ToString());
        edit.Records[28] = new TraceEdit.Rec('C', "Watch 3 1 0 -> ok");
        var outcome = Replay(edit);
        Assert.Equal(ReplayVerdict.BadTrace, outcome.Verdict);
        Assert.Equal("line 30 (record 29): this call has no result, but the record gives one", outcome.Message);
    }

    private static ReplayOutcome HashedWriteEdited(Func<string, string> edit)
    {
        var trace = TraceEdit.Of(Hashed.Value);
        int write = trace.IndexOf("C Write 4 0#00000000 944#");
        trace.Records[write] = new TraceEdit.Rec('C', edit(trace.Records[write].Body));
        return Replay(trace);
    }

    [Fact(DisplayName = "Replay kernel: hashed, a write matches by length: another head or body checksum still " +
        "matches")]
    public void HashedMatchesByLength()
    {
        var outcome = HashedWriteEdited(b => b.Replace("0#00000000 944#", "0#12345678 944#", StringComparison.Ordinal));
        Assert.Equal(ReplayVerdict.Matched, outcome.Verdict);
    }

    [Fact(DisplayName = "Replay kernel: hashed, a write of another length diverges at it")]
    public void HashedOtherLength()
    {
        var outcome = HashedWriteEdited(b => b.Replace(" 944#", " 945#", StringComparison.Ordinal));
        Assert.Equal(ReplayVerdict.Diverged, outcome.Verdict);
        Assert.StartsWith("replay diverged at record 63 (line 64)\n  recorded: C Write 4 0#00000000 945#",
            outcome.Message, StringComparison.Ordinal);
    }

    [Fact(DisplayName = "Replay kernel: hashed, a write record with an extra argument diverges at it")]
    public void HashedExtraArgument()
    {
        var outcome = HashedWriteEdited(b => b.Replace(" -> ", " 0#00000000 -> ", StringComparison.Ordinal));
        Assert.Equal(ReplayVerdict.Diverged, outcome.Verdict);
        Assert.StartsWith("replay diverged at record 63 (line 64)\n", outcome.Message, StringComparison.Ordinal);
    }

    [Fact(DisplayName = "Replay kernel: a recorded diagnostic reaches the report sink as it is replayed")]
    public void ReportReachesSink()
    {
        var edit = TraceEdit.Of(Full.Value);
        Assert.Equal("C TunGetFeatures 3 -> ok 0x7173", edit.Records[15].ToString());
        edit.Records[15] = new TraceEdit.Rec('C', "TunGetFeatures 3 -> err EINVAL");
        edit.Records.Insert(16, new TraceEdit.Rec('C', "Report warning \"TUNGETFEATURES failed: Invalid argument\""));
        var seen = new List<Diagnostic>();
        TraceReplayer.Replay(TraceFile.Parse(edit.Bytes), report: seen.Add);
        Assert.Equal([new Diagnostic(DiagnosticKind.Warning, "TUNGETFEATURES failed: Invalid argument")], seen);
    }

    [Fact(DisplayName = "Replay kernel: after the core stops watching an fd, its readiness in the trace diverges")]
    public void UnwatchedAfterPollOff()
    {
        var edit = TraceEdit.Of(Full.Value);
        Assert.Equal("E readable 3", edit.Records[60].ToString());
        edit.Records.InsertRange(60, [
            new TraceEdit.Rec('E', "control \"t0\" 0 poll-off 0"),
            new TraceEdit.Rec('C', "Watch 3 0 0"),
            new TraceEdit.Rec('N', "control \"t0\" 0 = 0")]);
        var outcome = Replay(edit);
        Assert.Equal(ReplayVerdict.Diverged, outcome.Verdict);
        Assert.StartsWith(
            "replay diverged at record 64 (line 65)\n  recorded: E readable 3\n" +
            "  replayed: nothing: fd 3 is not watched by the replayed core", outcome.Message, StringComparison.Ordinal);
    }

    [Fact(DisplayName = "Replay kernel: hashed, only writes match by payload length; a name with '#' must match " +
        "exactly")]
    public void HashedOnlyWritesByLength()
    {
        var c = new SimTraceCases.Case("hash-in-name", ["tap,id=t0,ifname=sim#0,script=no,downscript=no"],
            TracePayloads.Hash);
        var edit = TraceEdit.Of(SimTraceCases.Record(c, 1, 30));
        int iff = edit.IndexOf("C TunSetIff ");
        Assert.Contains("\"sim#0\"", edit.Records[iff].Body, StringComparison.Ordinal);
        edit.Records[iff] = new TraceEdit.Rec('C', edit.Records[iff].Body.Replace("\"sim#0\" 0x", "\"sim#1\" 0x",
            StringComparison.Ordinal));
        var outcome = Replay(edit);
        Assert.Equal(ReplayVerdict.Diverged, outcome.Verdict);
        Assert.StartsWith($"replay diverged at record {TraceEdit.SeqOf(iff)} ", outcome.Message,
            StringComparison.Ordinal);
    }
}
