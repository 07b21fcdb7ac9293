using Tap.Core.Options;

namespace Tap.Tests.Pins;

/// <summary>
/// QEMU's JSON reader at the edges the Options/Json mutation run found untested: numbers with fractions and
/// exponents, keywords, escapes, control characters, what may follow the value. Each expected message is QEMU
/// 7.2's own output for the same argument (<c>qemu-system-x86_64 -M none -nodefaults -display none -netdev ARG</c>,
/// 2026-12-03).
/// </summary>
public sealed class JsonLexerPinsTests
{
    [Theory(DisplayName = "Options/Json: the reader's messages for QEMU 7.2's inputs")]
    [InlineData("{\"id\":\"s0\",\"x\":[1]} 2", "Expecting at most one JSON value")]
    [InlineData("{\"id\":\"s0\",\"type\":\"stream\",\"addr\":", "JSON parse error, premature EOI")]
    [InlineData("{\"id\":\"s0\",\"type\":\"stream\",\"x\":\"\\u00zz\"}",
        "JSON parse error, \\u00zz is not a valid Unicode character")]
    [InlineData("{\"id\":\"s0\",\"x\":1.25}", "Parameter 'type' is missing")]
    [InlineData("{\"id\":\"s0\",\"x\":1e10}", "Parameter 'type' is missing")]
    [InlineData("{\"id\":\"s0\",\"x\":1e+5}", "Parameter 'type' is missing")]
    [InlineData("{\"id\":\"s0\",\"x\":1e}", "JSON parse error, stray '1e}'")]
    [InlineData("{\"id\":\"s0\",\"x\":1e", "JSON parse error, stray '1e'")]
    [InlineData("{\"id\":\"s0\",\"x\":1.", "JSON parse error, stray '1.'")]
    [InlineData("{\"id\":\"s0\",\"x\":nulz}", "JSON parse error, invalid keyword 'nulz'")]
    [InlineData("{\"id\":\"s0\",\"x\":1}  ", "Parameter 'type' is missing")]
    [InlineData("{\"id\":\"s0\",\"x\":1}\f", "Expecting at most one JSON value")]
    [InlineData("{\"id\":\"s0\",\"x\":\"\\\u0001\"}", "JSON parse error, stray '\"\\\u0001'")]
    public void Messages(string arg, string message)
    {
        var r = NetdevParser.Parse(arg);
        Assert.False(r.Ok);
        Assert.Equal(message, r.Error);
    }

    [Fact(DisplayName = "Options/Json: a structural token's text is the character typed, as for every other token")]
    public void StructuralTokenTexts()
    {
        var lexer = new Tap.Core.Options.Json.QemuJsonLexer(" { } [ ] , : ");
        var tokens = new List<(Tap.Core.Options.Json.QemuJsonTokenKind, string)>();
        for (var t = lexer.Next(); t.Kind != Tap.Core.Options.Json.QemuJsonTokenKind.EndOfInput; t = lexer.Next())
        {
            tokens.Add((t.Kind, t.Text));
        }
        Assert.Equal(new[] { "{", "}", "[", "]", ",", ":" }, tokens.Select(t => t.Item2));
        Assert.Equal(
            new[] { "LeftCurly", "RightCurly", "LeftSquare", "RightSquare", "Comma", "Colon" },
            tokens.Select(t => t.Item1.ToString()));
    }
}
