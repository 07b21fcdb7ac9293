using System.Text;
using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Trace;

namespace Tap.Tests.Trace;

/// <summary>
/// The reader's and the replayer's answer to every way a trace can be wrong: each names the line or record and
/// says what is wrong with it, so a user with a damaged trace knows where to look. Expected messages are spelled
/// out in full where the record numbers follow from the trace, so a reworded message is a deliberate change.
/// </summary>
public sealed class TraceFormatTests
{
    // Seed 1 of the hub case: 13 header records (tapnet, kernel, payloads, seed, five env, four netdev), then
    // netdev 0 is created: E netdev 0 (record 14), C OpenTunControl (15), C TunGetFeatures 3 (16), C TunSetIff 3 (17).
    private const int HeaderRecords = 13;

    private static readonly Lazy<string> Base = new(() => SimTraceCases.Record(SimTraceCases.All["hub"], 1, 30));

    private static string Original => Base.Value;

    private static TraceFormatException ParseFails(string text) => ParseFails(Encoding.UTF8.GetBytes(text));

    private static TraceFormatException ParseFails(byte[] bytes) => Assert.Throws<TraceFormatException>(() => TraceFile.Parse(bytes));

    private static ReplayOutcome Replay(string text) => TraceReplayer.Replay(TraceFile.Parse(Encoding.UTF8.GetBytes(text)));

    [Fact(DisplayName = "Trace format: the base trace reads and replays cleanly (what the other facts damage is sound)")]
    public void BaseTraceIsSound()
    {
        var edit = TraceEdit.Of(Original);
        Assert.Equal(Original, edit.Text);
        Assert.Equal("C OpenTunControl -> ok 3", edit.Records[HeaderRecords + 1].ToString());
        var trace = TraceFile.Parse(edit.Bytes);
        Assert.Equal(HeaderRecords, trace.HeaderRecords);
        Assert.Null(trace.Incomplete);
        Assert.Equal(ReplayVerdict.Matched, TraceReplayer.Replay(trace).Verdict);
    }

    [Fact(DisplayName = "Trace format: an empty file is not a tapnet trace, line 1")]
    public void EmptyFile() =>
        Assert.Equal("line 1: the file is empty: not a tapnet trace", ParseFails([]).Message);

    [Fact(DisplayName = "Trace format: a first line other than 'tapnet-trace 1' is not a tapnet trace, and the message quotes it")]
    public void NotATrace()
    {
        var lines = TraceEdit.Lines(Original);
        lines[0] = "#!/bin/sh";
        Assert.Equal("line 1: not a tapnet trace (it starts '#!/bin/sh', not 'tapnet-trace 1')", ParseFails(TraceEdit.Join(lines)).Message);
    }

    [Fact(DisplayName = "Trace format: 'tapnet-trace 2' is an unsupported version, and the message says this tapnet reads version 1")]
    public void UnsupportedVersion()
    {
        var lines = TraceEdit.Lines(Original);
        lines[0] = "tapnet-trace 2";
        Assert.Equal("line 1: trace format version 2 is not supported: this tapnet reads version 1", ParseFails(TraceEdit.Join(lines)).Message);
    }

    [Fact(DisplayName = "Trace format: a trace that stops after its version line names line 1")]
    public void VersionLineOnly() =>
        Assert.Equal("line 1: the trace ends after its version line, before any header", ParseFails("tapnet-trace 1").Message);

    [Fact(DisplayName = "Trace format: a flipped byte inside a record is a checksum mismatch naming its line and record")]
    public void FlippedByte()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(Original);
        string line = TraceEdit.Lines(Original)[TraceEdit.LineOf(HeaderRecords + 3) - 1];
        Assert.StartsWith("17 C TunSetIff 3 \"simtap0\"", line, StringComparison.Ordinal);
        int at = Original.IndexOf(line, StringComparison.Ordinal) + "17 C TunSetIff 3 \"simtap".Length;
        bytes[at] ^= 0x01; // "simtap0" becomes "simtap1": one bit, a name that still reads well
        Assert.Equal("line 18 (record 17): checksum mismatch: the record was damaged or edited after it was written", ParseFails(bytes).Message);
    }

    [Fact(DisplayName = "Trace format: a deleted record line is 'expected record N, found N+1' on the line where it was")]
    public void DeletedLine()
    {
        var lines = TraceEdit.Lines(Original);
        lines.RemoveAt(17); // line 18, record 17
        Assert.Equal("line 18: expected record 17, found '18': records are missing, repeated or out of order", ParseFails(TraceEdit.Join(lines)).Message);
    }

    [Fact(DisplayName = "Trace format: a duplicated record line is 'expected record N+1, found N' on the copy")]
    public void DuplicatedLine()
    {
        var lines = TraceEdit.Lines(Original);
        lines.Insert(18, lines[17]);
        Assert.Equal("line 19: expected record 18, found '17': records are missing, repeated or out of order", ParseFails(TraceEdit.Join(lines)).Message);
    }

    [Fact(DisplayName = "Trace format: an unknown record kind letter, checksum fixed, names its line, record and letter")]
    public void UnknownKind()
    {
        var edit = TraceEdit.Of(Original);
        edit.Records[15] = edit.Records[15] with { Kind = 'Q' };
        Assert.Equal("line 17 (record 16): unknown record kind 'Q'", ParseFails(edit.Text).Message);
    }

    [Fact(DisplayName = "Trace format: a header field after the first call is refused at its line and record")]
    public void HeaderAfterFirstCall()
    {
        var edit = TraceEdit.Of(Original);
        edit.Records.Insert(HeaderRecords + 2, new TraceEdit.Rec('H', "kernel \"later\""));
        Assert.Equal("line 17 (record 16): a header field after the first call or event", ParseFails(edit.Text).Message);
    }

    [Fact(DisplayName = "Trace format: an unknown header field names its line, record and key")]
    public void UnknownHeaderField()
    {
        var edit = TraceEdit.Of(Original);
        edit.Records.Insert(4, new TraceEdit.Rec('H', "colour \"blue\""));
        Assert.Equal("line 6 (record 5): unknown header field 'colour'", ParseFails(edit.Text).Message);
    }

    [Fact(DisplayName = "Trace format: a header without its payloads field says so, and where the header ends")]
    public void MissingPayloads()
    {
        var edit = TraceEdit.Of(Original);
        Assert.Equal("H payloads full", edit.Records[2].ToString());
        edit.Records.RemoveAt(2);
        // Twelve header records now: the first record after them is record 13 on line 14.
        Assert.Equal("the header lacks its 'payloads' field (before line 14 (record 13))", ParseFails(edit.Text).Message);
    }

    [Fact(DisplayName = "Trace format: a header cut before its payloads field names the last header record")]
    public void HeaderOnlyMissingField()
    {
        var lines = TraceEdit.Lines(Original).Take(3).ToList(); // the version line, tapnet and kernel
        var e = ParseFails(TraceEdit.Join(lines));
        Assert.Equal("the header lacks its 'payloads' field (after line 3 (record 2), the last of the header, with no records after it)", e.Message);
    }

    [Fact(DisplayName = "Trace format: a record after the end record is data after the end, named by line and the end record")]
    public void DataAfterEnd()
    {
        var lines = TraceEdit.Lines(Original);
        int endSeq = lines.Count - 1;
        Assert.StartsWith($"{endSeq} Z end *", lines[^1], StringComparison.Ordinal);
        // A well-formed record, numbered and checksummed as the next one: only its place is wrong.
        lines.Add(TraceEdit.Line(endSeq + 1, 'N', "stray"));
        Assert.Equal($"line {lines.Count}: data after the end record (record {endSeq})", ParseFails(TraceEdit.Join(lines)).Message);
    }

    [Fact(DisplayName = "Trace format: cut in the middle of an event's line, the trace is incomplete (cut short) and every whole record replays")]
    public void CutMidLineAtAnEvent()
    {
        var edit = TraceEdit.Of(Original);
        int ev = edit.IndexOf("E readable", edit.IndexOf("C Write"));
        var lines = TraceEdit.Lines(Original);
        string cut = TraceEdit.Join(lines.Take(TraceEdit.LineOf(ev) - 1)) + lines[TraceEdit.LineOf(ev) - 1][..6];
        var trace = TraceFile.Parse(Encoding.UTF8.GetBytes(cut));
        string why = $"line {TraceEdit.LineOf(ev)} is cut short after record {TraceEdit.SeqOf(ev) - 1}: the recording stopped in the middle of a record";
        Assert.Equal(why, trace.Incomplete);
        int whole = ev - HeaderRecords;
        Assert.Equal(whole, trace.Records.Count);
        var outcome = TraceReplayer.Replay(trace);
        Assert.Equal(ReplayVerdict.Incomplete, outcome.Verdict);
        Assert.Equal(whole, outcome.RecordsReplayed);
        Assert.Equal($"all {whole} records after the header match, but {why}", outcome.Message);
    }

    [Fact(DisplayName = "Trace format: cut in the middle of a call, as a crash cuts it, the replay is incomplete, not diverged")]
    public void CutMidLineInsideAnEvent()
    {
        var edit = TraceEdit.Of(Original);
        int write = edit.IndexOf("C Write");
        var lines = TraceEdit.Lines(Original);
        string cut = TraceEdit.Join(lines.Take(TraceEdit.LineOf(write) - 1)) + lines[TraceEdit.LineOf(write) - 1][..40];
        var trace = TraceFile.Parse(Encoding.UTF8.GetBytes(cut));
        string why = $"line {TraceEdit.LineOf(write)} is cut short after record {TraceEdit.SeqOf(write) - 1}: the recording stopped in the middle of a record";
        Assert.Equal(why, trace.Incomplete);
        int whole = write - HeaderRecords;
        var outcome = TraceReplayer.Replay(trace);
        // The replayed core goes on to the write the recording was cut in: beyond the trace, not against it.
        Assert.Equal(ReplayVerdict.Incomplete, outcome.Verdict);
        Assert.Equal(whole, outcome.RecordsReplayed);
        Assert.StartsWith($"all {whole} records after the header match, but {why} (the replayed core goes on with 'C Write 4 x: x:", outcome.Message, StringComparison.Ordinal);
    }

    [Fact(DisplayName = "Trace format: cut at a line boundary, the trace ends without its end record and replays as incomplete")]
    public void CutAtLineBoundary()
    {
        var lines = TraceEdit.Lines(Original);
        lines.RemoveAt(lines.Count - 1);
        var trace = TraceFile.Parse(Encoding.UTF8.GetBytes(TraceEdit.Join(lines)));
        string why = $"the trace ends after record {lines.Count - 1} without its end record: the recording stopped before tapnet finished";
        Assert.Equal(why, trace.Incomplete);
        var outcome = TraceReplayer.Replay(trace);
        Assert.Equal(ReplayVerdict.Incomplete, outcome.Verdict);
        Assert.Equal(trace.Records.Count, outcome.RecordsReplayed);
        Assert.Equal($"all {trace.Records.Count} records after the header match, but {why}", outcome.Message);
    }

    [Fact(DisplayName = "Trace format: a Read result longer than the buffer, checksum fixed, is a bad trace naming the record and Read")]
    public void ReadLongerThanBuffer()
    {
        var edit = TraceEdit.Of(Original);
        int read = edit.IndexOf("C Read 3 69632 -> ok ");
        edit.Records[read] = edit.Records[read] with { Body = TraceEdit.WithToken(edit.Records[read].Body, 5, "70000") };
        var outcome = Replay(edit.Text);
        Assert.Equal(ReplayVerdict.BadTrace, outcome.Verdict);
        Assert.Equal($"line {TraceEdit.LineOf(read)} (record {TraceEdit.SeqOf(read)}): Read: the read returned 70000 bytes into a buffer of 69632", outcome.Message);
        Assert.Equal(read - HeaderRecords + 1, outcome.RecordsReplayed);
    }

    [Fact(DisplayName = "Trace format: an error result without an errno ('err -') is a bad trace naming the record and the call")]
    public void ErrorWithoutErrno()
    {
        var edit = TraceEdit.Of(Original);
        int call = edit.IndexOf("C SetNonBlocking 3 -> ok");
        edit.Records[call] = edit.Records[call] with { Body = "SetNonBlocking 3 -> err -" };
        var outcome = Replay(edit.Text);
        Assert.Equal(ReplayVerdict.BadTrace, outcome.Verdict);
        Assert.Equal($"line {TraceEdit.LineOf(call)} (record {TraceEdit.SeqOf(call)}): SetNonBlocking: an error result needs an errno, found '-'", outcome.Message);
    }

    [Fact(DisplayName = "Trace format: a hand-edited Write payload, checksum fixed, diverges at that record with recorded, replayed and the records before it")]
    public void EditedWriteDiverges()
    {
        var edit = TraceEdit.Of(Original);
        int write = edit.IndexOf("C Write");
        string body = edit.Records[write].Body;
        string payload = TraceText.Split(body)[3];
        char[] hex = payload.ToCharArray();
        hex[40] = hex[40] == '0' ? '1' : '0';
        edit.Records[write] = edit.Records[write] with { Body = TraceEdit.WithToken(body, 3, new string(hex)) };
        var outcome = Replay(edit.Text);
        Assert.Equal(ReplayVerdict.Diverged, outcome.Verdict);
        var report = outcome.Message.Split('\n');
        Assert.Equal($"replay diverged at record {TraceEdit.SeqOf(write)} (line {TraceEdit.LineOf(write)})", report[0]);
        Assert.StartsWith("  recorded: C Write 4 x: " + payload[..20], report[1], StringComparison.Ordinal);
        Assert.StartsWith("  replayed: C Write 4 x: " + payload[..20], report[2], StringComparison.Ordinal);
        Assert.NotEqual(report[1]["  recorded: ".Length..], report[2]["  replayed: ".Length..]);
        Assert.Equal("  the records before it:", report[3]);
        Assert.Equal(TraceDivergenceException.ContextRecords, report.Length - 4);
        Assert.StartsWith($"    {TraceEdit.SeqOf(write) - 1} C Read 3 69632 -> ok ", report[^1], StringComparison.Ordinal);
        Assert.Equal(write - HeaderRecords, outcome.RecordsReplayed);
    }

    [Fact(DisplayName = "Trace format: two adjacent calls swapped (renumbered, checksums fixed) diverge at the first of them")]
    public void SwappedCallsDiverge()
    {
        var edit = TraceEdit.Of(Original);
        int open = HeaderRecords + 1;
        (edit.Records[open], edit.Records[open + 1]) = (edit.Records[open + 1], edit.Records[open]);
        var outcome = Replay(edit.Text);
        Assert.Equal(ReplayVerdict.Diverged, outcome.Verdict);
        Assert.Equal(
            "replay diverged at record 15 (line 16)\n" +
            "  recorded: C TunGetFeatures 3 -> ok 0x7173\n" +
            "  replayed: C OpenTunControl\n" +
            "  the records before it:\n" +
            "    14 E netdev 0",
            outcome.Message);
        Assert.Equal(1, outcome.RecordsReplayed);
    }

    public static TheoryData<string> Strings => new()
    {
        "",
        "plain",
        "two words",
        " leading and trailing ",
        "  double  spaces  ",
        "a \"quoted\" word",
        "\"",
        "back\\slash",
        "\\\"",
        "\\x41 is not an escape here",
        "tab\tnewline\ncr\rnul\0bell\a",
        "\x01\x1f\x7f",
        "ünïcödé ✓",
        "-> ok 3",
        "trailing backslash\\",
    };

    [Theory(DisplayName = "Trace text: a quoted string splits as one token and unquotes to itself (quotes, backslashes, control characters, spaces)")]
    [MemberData(nameof(Strings))]
    public void StringsRoundTrip(string value)
    {
        string body = new StringBuilder("Report error").SpStr(value).SpStr("after").ToString();
        // Nothing a record splits on, or that would break its line, is left raw.
        Assert.DoesNotContain(body, c => c is < ' ' or '\x7f');
        var tokens = TraceText.Split(body);
        Assert.Equal(4, tokens.Count);
        Assert.Equal(value, TraceText.Unquote(tokens[2]));
        Assert.Equal("\"after\"", tokens[3]);
    }

    [Fact(DisplayName = "Trace text: quotes, backslashes and control characters are written as \\\" \\\\ and \\xHH")]
    public void StringSpelling() =>
        Assert.Equal("\"a\\\"b\\\\c\\x01\\x7f d\"", new StringBuilder().Str("a\"b\\c\x01\x7f d").ToString());

    [Fact(DisplayName = "Trace text: a bad escape, an unterminated string and doubled spaces are refused, saying which")]
    public void BadStringsRefused()
    {
        Assert.Equal("bad escape \\q in a string", Assert.Throws<FormatException>(() => TraceText.Unquote("\"a\\qb\"")).Message);
        Assert.Equal("bad escape \\x in a string", Assert.Throws<FormatException>(() => TraceText.Unquote("\"\\x4\"")).Message);
        Assert.Equal("expected a quoted string, found 'abc'", Assert.Throws<FormatException>(() => TraceText.Unquote("abc")).Message);
        Assert.Equal("a string is not closed", Assert.Throws<FormatException>(() => TraceText.Split("Report error \"open")).Message);
        Assert.Equal("two spaces in a row", Assert.Throws<FormatException>(() => TraceText.Split("Close  3")).Message);
        Assert.Equal("a space at the end", Assert.Throws<FormatException>(() => TraceText.Split("Close 3 ")).Message);
    }

    [Fact(DisplayName = "Trace text: an errno is read by name or by number, '-' is none, and anything else is refused")]
    public void ErrnoNamesAndNumbers()
    {
        Assert.Equal(Errno.EAGAIN, TraceText.ErrnoOf("EAGAIN"));
        Assert.Equal(Errno.EBADFD, TraceText.ErrnoOf("EBADFD"));
        Assert.Equal(Errno.EAGAIN, TraceText.ErrnoOf("11"));
        Assert.Equal((Errno)4095, TraceText.ErrnoOf("4095"));
        Assert.Equal(Errno.None, TraceText.ErrnoOf("-"));
        // A number without a name here is written as the number and must read back as it.
        Assert.Equal((Errno)4095, TraceText.ErrnoOf(new StringBuilder().SpErrno((Errno)4095).ToString().TrimStart()));
        foreach (string junk in new[] { "eagain", "EWHAT", "E", "0", "4096", "-11", "+11", "", " 11", "0x0b", "EAGAIN1", "EPERM,EINTR", "EAGAIN " })
        {
            var e = Assert.Throws<FormatException>(() => TraceText.ErrnoOf(junk));
            Assert.Equal($"expected an errno, found '{junk}'", e.Message);
        }
    }
}
