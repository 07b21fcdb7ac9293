using Tap.Trace;

namespace Tap.Tests.Trace;

/// <summary>
/// Pins of the divergence report (docs/trace-format.md §6) left open by the 2026-12-03 mutation run: its first line
/// says where, the next two what was recorded and what the core did, then the records before it, long ones cut.
/// </summary>
public sealed class TraceDivergenceExceptionPinsTests
{
    private static TraceRecord R(long seq, char kind, string body, int line) =>
        new(seq, kind switch { 'C' => TraceRecordKind.Call, 'E' => TraceRecordKind.Event, _ => TraceRecordKind.Note },
            body, line);

    [Fact(DisplayName = "Divergence report: past the last record it says the trace has ended and gives the last " +
        "record's number")]
    public void AfterTheEnd()
    {
        var e = new TraceDivergenceException(null, "C Close 3", [R(41, 'C', "Watch 3 0 0", 42)], 41);
        Assert.Equal(
            "replay diverged after the last record (41): the trace has ended\n" +
            "  recorded: the end of the trace\n" +
            "  replayed: C Close 3\n" +
            "  the records before it:\n" +
            "    41 C Watch 3 0 0",
            e.Message.Replace("\r", ""));
        Assert.Null(e.Expected);
        Assert.Equal("C Close 3", e.Actual);
    }

    [Fact(DisplayName = "Divergence report: a record not read from a file has no line, and no records before it no " +
        "list")]
    public void NoLineNoContext()
    {
        var e = new TraceDivergenceException(R(5, 'E', "stop", 0), "C Close 3", [], 9);
        Assert.Equal("replay diverged at record 5\n  recorded: E stop\n  replayed: C Close 3",
            e.Message.Replace("\r", ""));
    }

    [Fact(DisplayName = "Divergence report: a text of 160 characters is shown whole, one of 161 as its first 157 and " +
        "'...'")]
    public void LongTextsCut()
    {
        string whole = new string('a', 155) + "-edge";
        string longer = new string('b', 157) + "XYZW";
        var e = new TraceDivergenceException(R(7, 'N', whole, 8), longer, [], 9);
        var lines = e.Message.Replace("\r", "").Split('\n');
        Assert.Equal("  recorded: N " + whole, lines[1]);
        Assert.Equal("  replayed: " + new string('b', 157) + "...", lines[2]);
    }
}
