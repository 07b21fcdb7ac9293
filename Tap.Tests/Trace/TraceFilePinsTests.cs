using System.Text;
using Tap.Trace;

namespace Tap.Tests.Trace;

/// <summary>
/// Pins of the trace reader (docs/trace-format.md §1, §2) left open by the 2026-12-03 mutation run: each damaged
/// trace is refused with the message that names its line and record, each sound one is read as written.
/// </summary>
public sealed class TraceFilePinsTests
{
    // Records 1-3 (lines 2-4): the three required header fields; the next record is number 4, on line 5.
    private static readonly string[] Header = ["H tapnet \"1.0\"", "H kernel \"sim\"", "H payloads full"];

    /// <summary>A trace of <paramref name="records"/> ("K BODY"), numbered and checksummed as written.</summary>
    private static string Trace(params string[] records)
    {
        var sb = new StringBuilder("tapnet-trace 1\n");
        for (int i = 0; i < records.Length; i++)
        {
            sb.Append(TraceEdit.Line(i + 1, records[i][0], records[i][2..])).Append('\n');
        }
        return sb.ToString();
    }

    private static string[] WithHeader(params string[] records) => [.. Header, .. records];

    private static string Fails(string text) => Fails(Encoding.UTF8.GetBytes(text));

    private static string Fails(byte[] bytes) =>
        Assert.Throws<TraceFormatException>(() => TraceFile.Parse(bytes)).Message;

    [Fact(DisplayName = "Trace file: a record that is not UTF-8 (checksum right) is refused naming its line")]
    public void RecordNotUtf8()
    {
        byte[] content = [.. Encoding.ASCII.GetBytes("4 N caf"), 0xff];
        string crc = System.IO.Hashing.Crc32.HashToUInt32(content).ToString("x8");
        byte[] bytes = [.. Encoding.UTF8.GetBytes(Trace(Header)), .. content, .. Encoding.ASCII.GetBytes($" *{crc}\n")];
        Assert.Equal("line 5: not UTF-8 text", Fails(bytes));
    }

    [Fact(DisplayName = "Trace file: a first line that is not UTF-8 is 'not a tapnet trace', quoting what it starts " +
        "with")]
    public void FirstLineNotUtf8()
    {
        byte[] bytes = [0xff, 0xfe, (byte)'a', (byte)'\n', .. Encoding.UTF8.GetBytes(Trace(Header))[15..]];
        Assert.Equal("line 1: not a tapnet trace (it starts '\ufffd\ufffda', not 'tapnet-trace 1')", Fails(bytes));
    }

    [Fact(DisplayName = "Trace file: a file that starts with an empty line is 'not a tapnet trace', quoting the " +
        "empty line")]
    public void StartsWithEmptyLine() =>
        Assert.Equal("line 1: not a tapnet trace (it starts '', not 'tapnet-trace 1')", Fails("\n" + Trace(Header)));

    [Fact(DisplayName = "Trace file: 'tapnet-trace one' is refused: the format version is not a number")]
    public void VersionNotANumber() =>
        Assert.Equal("line 1: the format version 'one' is not a number",
            Fails("tapnet-trace one\n" + Trace(Header)[15..]));

    [Fact(DisplayName = "Trace file: an empty line among the records has no checksum; it is not a cut")]
    public void EmptyLineInside() =>
        Assert.Equal("line 5 (record 4): no checksum at the end of the line",
            Fails(Trace(Header) + "\n" + TraceEdit.Line(4, 'Z', "end") + "\n"));

    [Fact(DisplayName = "Trace file: an end record that does not read 'end' is refused, quoting it")]
    public void EndRecordNotEnd() =>
        Assert.Equal("line 5 (record 4): the end record must read 'end', found 'stop'",
            Fails(Trace(WithHeader("Z stop"))));

    [Fact(DisplayName = "Trace file: a call whose body does not split into tokens is refused when read, not at replay")]
    public void CallBodyDoesNotSplit() =>
        Assert.Equal("line 5 (record 4): two spaces in a row", Fails(Trace(WithHeader("C Close  3 -> ok", "Z end"))));

    [Fact(DisplayName = "Trace file: a checksum without its '*' has no checksum")]
    public void ChecksumWithoutStar()
    {
        string line = TraceEdit.Line(4, 'N', "x");
        line = line[..^9] + " " + line[^8..];
        Assert.Equal("line 5 (record 4): no checksum at the end of the line", Fails(Trace(Header) + line + "\n"));
    }

    [Fact(DisplayName = "Trace file: a line too short for 'SEQ K B' and a checksum has none, even when its checksum " +
        "is right")]
    public void LineTooShort()
    {
        string crc = System.IO.Hashing.Crc32.HashToUInt32("x"u8).ToString("x8");
        Assert.Equal("line 5 (record 4): no checksum at the end of the line", Fails(Trace(Header) + $"x *{crc}\n"));
    }

    [Fact(DisplayName = "Trace file: the shortest whole record (15 bytes: '1 H x' and its checksum) is read")]
    public void ShortestRecord() =>
        Assert.Equal("line 2 (record 1): header field 'x' takes 1 value(s), found 0", Fails(Trace("H x")));

    [Fact(DisplayName = "Trace file: an upper-case checksum is not eight lower-case hex digits, even when it is right")]
    public void UpperCaseChecksum()
    {
        string line = TraceEdit.Line(4, 'N', "x");
        string upper = line[^8..].ToUpperInvariant();
        Assert.NotEqual(line[^8..], upper); // the checksum of "4 N x" has a letter
        Assert.Equal($"line 5 (record 4): the checksum '{upper}' is not eight lower-case hex digits",
            Fails(Trace(Header) + line[..^8] + upper + "\n"));
    }

    [Theory(DisplayName = "Trace file: a record not shaped 'SEQ KIND BODY' is refused, quoting it")]
    [InlineData("1 HX tapnet", "'1 HX tapnet'")]
    [InlineData(" H tapnet \"1\"", "' H tapnet \"1\"'")]
    [InlineData("1234 H ", "'1234 H '")]
    public void NotSeqKindBody(string content, string quoted)
    {
        string crc = System.IO.Hashing.Crc32.HashToUInt32(Encoding.UTF8.GetBytes(content)).ToString("x8");
        Assert.Equal($"line 2 (record 1): expected 'SEQ KIND BODY', found {quoted}",
            Fails($"tapnet-trace 1\n{content} *{crc}\n"));
    }

    [Fact(DisplayName = "Trace file: a record not read from a file is named by its number alone")]
    public void RecordWithoutLine()
    {
        var r = new TraceRecord(1, TraceRecordKind.Header, "bogus 1", 0);
        var e = Assert.Throws<TraceFormatException>(() => TraceHeader.FromRecords([r], null));
        Assert.Equal("record 1: unknown header field 'bogus'", e.Message);
    }

    [Fact(DisplayName = "Trace header: a field given twice is refused, naming the second")]
    public void FieldTwice() =>
        Assert.Equal("line 5 (record 4): header field 'kernel' appears twice",
            Fails(Trace(WithHeader("H kernel \"6.1\"", "Z end"))));

    [Fact(DisplayName = "Trace header: a lone 'env' is a field without its value")]
    public void LoneEnv() =>
        Assert.Equal("line 5 (record 4): header field 'env' takes 1 value(s), found 0",
            Fails(Trace(WithHeader("H env", "Z end"))));

    [Fact(DisplayName = "Trace header: payloads other than 'full' or 'hash' are refused, quoting them")]
    public void BadPayloads() =>
        Assert.Equal("line 4 (record 3): payloads must be 'full' or 'hash', found 'none'",
            Fails(Trace("H tapnet \"1.0\"", "H kernel \"sim\"", "H payloads none", "Z end")));

    [Fact(DisplayName = "Trace header: a negative seed is refused, quoting it")]
    public void NegativeSeed() =>
        Assert.Equal("line 5 (record 4): seed must be an unsigned number, found '-1'",
            Fails(Trace(WithHeader("H seed -1", "Z end"))));

    [Fact(DisplayName = "Trace header: an unquoted version string is refused with the token's problem")]
    public void UnquotedVersion() =>
        Assert.Equal("line 2 (record 1): expected a quoted string, found '1.0'",
            Fails(Trace("H tapnet 1.0", "H kernel \"sim\"", "H payloads full", "Z end")));

    [Fact(DisplayName = "Trace header: a trace with no header at all lacks 'tapnet', after the version line")]
    public void NoHeaderAtAll() =>
        Assert.Equal("the header lacks its 'tapnet' field (after line 1, the version line, with no header records)",
            Fails(Trace("Z end")));

    [Theory(DisplayName = "Trace header: each required field missing is named")]
    [InlineData(0, "tapnet")]
    [InlineData(1, "kernel")]
    [InlineData(2, "payloads")]
    public void RequiredFieldMissing(int drop, string name) =>
        Assert.Equal($"the header lacks its '{name}' field (before line 4 (record 3))",
            Fails(Trace([.. Header.Where((_, i) => i != drop), "E stop", "Z end"])));

    [Fact(DisplayName = "Trace header: a header built in code writes empty version and kernel strings, and env " +
        "monitor")]
    public void DefaultBodies()
    {
        var bodies = new TraceHeader { Payloads = TracePayloads.Hash }.Bodies().ToList();
        Assert.Equal(["tapnet \"\"", "kernel \"\"", "payloads hash"], bodies.Take(3));
        Assert.Equal("env monitor 0", bodies[^1]);
        var monitor = new TraceHeader { Environment = new() { FromMonitor = true } }.Bodies().ToList();
        Assert.Equal("env monitor 1", monitor[^1]);
    }

    [Fact(DisplayName = "Trace record: a call body that starts with the arrow has an empty call and all its results")]
    public void ArrowFirst()
    {
        var r = new TraceRecord(4, TraceRecordKind.Call, "-> ok 3", 5);
        Assert.Equal("", r.CallText);
        Assert.Equal(["ok", "3"], r.ResultTokens);
    }
}
