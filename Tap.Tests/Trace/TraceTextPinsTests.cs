using System.Text;
using Tap.Core.Abi;
using Tap.Trace;

namespace Tap.Tests.Trace;

/// <summary>
/// The tokens of docs/trace-format.md §3 read back by <see cref="TraceText"/>: what a hand-edited or damaged trace
/// spells wrong is refused with a message that quotes the culprit, and the edge values of each form still read.
/// </summary>
public sealed class TraceTextPinsTests
{
    private static string Refused(Func<object> read) => Assert.Throws<FormatException>(read).Message;

    [Fact(DisplayName = "Trace §4.2: a payload is 'x:HEX' in full and 'LEN#CRC32' hashed (CRC-32 of '123456789')")]
    public void PayloadSpellings()
    {
        byte[] data = Encoding.ASCII.GetBytes("123456789");
        Assert.Equal("9#cbf43926", TraceText.Payload(TracePayloads.Hash)(new StringBuilder(), data).ToString());
        Assert.Equal("x:313233343536373839",
            TraceText.Payload(TracePayloads.Full)(new StringBuilder(), data).ToString());
    }

    [Fact(DisplayName = "Trace §3: a string glued to the next token is refused as 'no space after' that string")]
    public void NoSpaceAfterString()
    {
        Assert.Equal("no space after '\"a\"'", Refused(() => TraceText.Split("Report \"a\"b")));
    }

    [Fact(DisplayName = "Trace §3: a token that only starts or only ends with a quote is no string")]
    public void HalfQuotedStrings()
    {
        Assert.Equal("expected a quoted string, found 'x\"'", Refused(() => TraceText.Unquote("x\"")));
        Assert.Equal("expected a quoted string, found '\"'", Refused(() => TraceText.Unquote("\"")));
        Assert.Equal("expected a quoted string, found '\"ab'", Refused(() => TraceText.Unquote("\"ab")));
        Assert.Equal("", TraceText.Unquote("\"\""));
    }

    [Fact(DisplayName = "Trace §3: a string whose last character is a lone backslash is refused as such")]
    public void LoneBackslash()
    {
        Assert.Equal("a string ends in a lone backslash", Refused(() => TraceText.Unquote("\"a\\\"")));
    }

    [Fact(DisplayName = "Trace §3: only \\\\, \\\" and \\x with two lower-case hex digits are escapes")]
    public void OnlyDocumentedEscapes()
    {
        Assert.Equal("bad escape \\q in a string", Refused(() => TraceText.Unquote("\"\\q1a\"")));
        Assert.Equal("bad escape \\x in a string", Refused(() => TraceText.Unquote("\"\\xg1\"")));
        Assert.Equal("bad escape \\x in a string", Refused(() => TraceText.Unquote("\"\\x1g\"")));
        Assert.Equal("\u001a|\u007f", TraceText.Unquote("\"\\x1a|\\x7f\""));
    }

    [Fact(DisplayName = "Trace §3: a full payload is 'x:' and pairs of lower-case hex digits, else refused")]
    public void FullPayloads()
    {
        Assert.Equal("expected a payload x:HEX, found 'ab'", Refused(() => TraceText.Unhex("ab")));
        Assert.Equal("expected a payload x:HEX, found 'x:abc'", Refused(() => TraceText.Unhex("x:abc")));
        Assert.Equal("bad hex digit in payload at byte 0", Refused(() => TraceText.Unhex("x:0g")));
        Assert.Equal("bad hex digit in payload at byte 1", Refused(() => TraceText.Unhex("x:00g0")));
        Assert.Equal("bad hex digit in payload at byte 0", Refused(() => TraceText.Unhex("x:AB")));
        Assert.Equal(new byte[] { 0x09, 0xaf }, TraceText.Unhex("x:09af"));
        Assert.Empty(TraceText.Unhex("x:"));
    }

    [Fact(DisplayName = "Trace §3: a hash payload is LEN#CRC with eight hex digits; anything else names itself")]
    public void HashPayloads()
    {
        Assert.Equal(60, TraceText.PayloadLength("60#1a5d6dde"));
        Assert.Equal(2, TraceText.PayloadLength("x:0102"));
        Assert.Equal("expected a payload (x:HEX or LEN#CRC), found '60#1a5d6dd'",
            Refused(() => TraceText.PayloadLength("60#1a5d6dd")));
        Assert.Equal("expected a payload (x:HEX or LEN#CRC), found '#1a5d6dde'",
            Refused(() => TraceText.PayloadLength("#1a5d6dde")));
    }

    [Fact(DisplayName = "Trace §3: a number is decimal with an optional '-', and a 32-bit one must fit")]
    public void Numbers()
    {
        Assert.Equal("expected a number, found 'abc'", Refused(() => TraceText.Number("abc")));
        Assert.Equal("expected a number, found '+5'", Refused(() => TraceText.Number("+5")));
        Assert.Equal(-1L, TraceText.Number("-1"));
        Assert.Equal(2147483647, TraceText.Int("2147483647"));
        Assert.Equal(-2147483648, TraceText.Int("-2147483648"));
        Assert.Equal("number '2147483648' is out of range", Refused(() => TraceText.Int("2147483648")));
        Assert.Equal("number '-2147483649' is out of range", Refused(() => TraceText.Int("-2147483649")));
    }

    [Fact(DisplayName = "Trace §3: flags are '0x' and hex; bare hex, or '0x' alone, is refused")]
    public void FlagsTokens()
    {
        Assert.Equal(0x7002u, TraceText.Flags("0x7002"));
        Assert.Equal("expected flags 0xHEX, found '7002'", Refused(() => TraceText.Flags("7002")));
        Assert.Equal("expected flags 0xHEX, found 'ab12'", Refused(() => TraceText.Flags("ab12")));
        Assert.Equal("expected flags 0xHEX, found '0x'", Refused(() => TraceText.Flags("0x")));
    }

    [Fact(DisplayName = "Trace §3: an errno name is spelled exactly; other case or a bare 'E' is refused")]
    public void ErrnoSpelling()
    {
        Assert.Equal(Errno.EAGAIN, TraceText.ErrnoOf("EAGAIN"));
        Assert.Equal("expected an errno, found 'Eagain'", Refused(() => TraceText.ErrnoOf("Eagain")));
        Assert.Equal("expected an errno, found 'E'", Refused(() => TraceText.ErrnoOf("E")));
    }

    [Fact(DisplayName = "Trace §3: a boolean is 1 or 0, anything else is refused")]
    public void Booleans()
    {
        Assert.True(TraceText.Bool("1"));
        Assert.False(TraceText.Bool("0"));
        Assert.Equal("expected 0 or 1, found '2'", Refused(() => TraceText.Bool("2")));
    }

    [Fact(DisplayName = "Trace errors quote a token of up to 40 characters whole, a longer one cut to 37 and '...'")]
    public void ShortenedTokens()
    {
        string forty = new('7', 40);
        Assert.Equal($"expected flags 0xHEX, found '{forty}'", Refused(() => TraceText.Flags(forty)));
        Assert.Equal($"expected flags 0xHEX, found '{new string('7', 37)}...'",
            Refused(() => TraceText.Flags(forty + "7")));
    }
}
