using Tap.Core.Options;
using Tap.Core.Options.Json;

namespace Tap.Tests.Options;

/// <summary>
/// O12: the JSON form of <c>-netdev</c> reads and fails as QEMU 7.2 does. The expected messages are QEMU 7.2's own
/// output (Debian's qemu-system-x86 7.2, <c>qemu-system-x86_64 -M none -netdev JSON</c>, captured 2026-12-02), as
/// literals: syntax errors from its lexer and parser, type errors from its visitor.
/// </summary>
public sealed class JsonNetdevMessagesTests
{
    [Theory(DisplayName = "O12: a JSON -netdev that QEMU 7.2 refuses is refused with QEMU's message")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":\"x\"}", "Parameter 'queues' expects uint64")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":2.5}", "Parameter 'queues' expects uint64")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":-1}", "Parameter 'queues' expects uint32_t")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"vhost\":\"on\"}", "Invalid parameter type for 'vhost', expected: boolean")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"vhost\":1}", "Invalid parameter type for 'vhost', expected: boolean")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"sndbuf\":\"1k\"}", "Parameter 'sndbuf' expects uint64")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"ifname\":5}", "Invalid parameter type for 'ifname', expected: string")]
    [InlineData("{\"type\":\"tap\",\"id\":5}", "Invalid parameter type for 'id', expected: string")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"poll-us\":true}", "Parameter 'poll-us' expects uint64")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\"", "JSON parse error, premature EOI")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\"}x", "Expecting at most one JSON value")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",}", "JSON parse error, expecting value")]
    [InlineData("{\"type\":\"tap\" \"id\":\"t0\"}", "JSON parse error, expected separator in dict")]
    [InlineData("{", "JSON parse error, premature EOI")]
    [InlineData("{\"type\":tap}", "JSON parse error, invalid keyword 'tap'")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":null}", "Parameter 'queues' expects uint64")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":[1]}", "Parameter 'queues' expects uint64")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":{}}", "Parameter 'queues' expects uint64")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":18446744073709551616}", "Parameter 'queues' expects uint64")]
    [InlineData("{\"type\":\"bridge\",\"id\":\"b0\",\"br\":1}", "Invalid parameter type for 'br', expected: string")]
    [InlineData("{\"type\":\"hubport\",\"id\":\"h0\",\"hubid\":\"0\"}", "Invalid parameter type for 'hubid', expected: integer")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"script\":\"no\",\"downscript\":\"no\",\"vnet_hdr\":\"yes\"}", "Invalid parameter type for 'vnet_hdr', expected: boolean")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":1e2}", "Parameter 'queues' expects uint64")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\"} {\"a\":1}", "Expecting at most one JSON value")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"bogus\":1}", "Parameter 'bogus' is unexpected")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"fd\":3}", "Invalid parameter type for 'fd', expected: string")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"vhostforce\":\"off\"}", "Invalid parameter type for 'vhostforce', expected: boolean")]
    [InlineData("{\"id\":\"t0\"}", "Parameter 'type' is missing")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":\"2\"}", "Parameter 'queues' expects uint64")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"hubid\":0}", "Parameter 'hubid' is unexpected")]
    [InlineData("{\"type\":\"hubport\",\"id\":\"h0\",\"hubid\":2.0}", "Invalid parameter type for 'hubid', expected: integer")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":4294967296}", "Parameter 'queues' expects uint32_t")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"poll-us\":-1}", "Parameter 'poll-us' expects uint32_t")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"vhostfds\":5}", "Invalid parameter type for 'vhostfds', expected: string")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"helper\":true}", "Invalid parameter type for 'helper', expected: string")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"script\":null}", "Invalid parameter type for 'script', expected: string")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":01}", "JSON parse error, stray '01'")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"id\":\"t1\"}", "JSON parse error, duplicate key")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\"}}", "Expecting at most one JSON value")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\"]", "JSON parse error, expected separator in dict")]
    [InlineData("{\"id\":\"abc", "JSON parse error, stray '\"abc'")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"x\":1.}", "JSON parse error, stray '1.}'")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"x\":-}", "JSON parse error, stray '-}'")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"x\":@}", "JSON parse error, stray '@'")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\"} @", "Expecting at most one JSON value")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"x\":\"a\\qb\"}", "JSON parse error, invalid escape sequence in string")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"x\":\"a\tb\"}", "JSON parse error, stray '\"a\t'")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"x\":\"\\u12\"}", "JSON parse error, \\u12\" is not a valid Unicode character")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"x\":True}", "JSON parse error, stray 'T'")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"x\":tru}", "JSON parse error, invalid keyword 'tru'")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"x\":truex}", "JSON parse error, invalid keyword 'truex'")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"x\":nul}", "JSON parse error, invalid keyword 'nul'")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"x\":%d}", "JSON parse error, stray '%'")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\" : 1}", "JSON parse error, expected separator in dict")]
    [InlineData("{\"type\" \"tap\"}", "JSON parse error, missing : in object pair")]
    [InlineData("{\"type\":}", "JSON parse error, expecting value")]
    [InlineData("{1:2}", "JSON parse error, key is not a string in object")]
    [InlineData("{,}", "JSON parse error, expecting value")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"x\":[1,2}", "JSON parse error, expected separator in list")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\"},", "Expecting at most one JSON value")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"vhost\":false,\"script\":\"no\",\"downscript\":\"no\",\"queues\":1,\"queues\":2}", "JSON parse error, duplicate key")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"x\":01.5}", "JSON parse error, stray '01'")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"x\":1.5e}", "JSON parse error, stray '1.5e}'")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"x\":-0}", "Parameter 'x' is unexpected")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"x\":\"\\ud800\"}", "JSON parse error, \\ud800 is not a valid Unicode character")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"x\":\"é\"}", "Parameter 'x' is unexpected")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"x\":\"\\/\"}", "Parameter 'x' is unexpected")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":-9223372036854775809}", "Parameter 'queues' expects uint64")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":9223372036854775808}", "Parameter 'queues' expects uint32_t")]
    [InlineData("{\"type\":\"hubport\",\"id\":\"h0\",\"hubid\":9223372036854775808}", "Invalid parameter type for 'hubid', expected: integer")]
    [InlineData("{\"type\":\"hubport\",\"id\":\"h0\",\"hubid\":2147483648}", "Parameter 'hubid' expects int32_t")]
    [InlineData("{\"type\":\"hubport\",\"id\":\"h0\",\"hubid\":-2147483649}", "Parameter 'hubid' expects int32_t")]
    [InlineData("{\"type\":\"hubport\",\"id\":\"h0\"}", "Parameter 'hubid' is missing")]
    [InlineData("{\"type\":\"hubport\",\"hubid\":0}", "Parameter 'id' is missing")]
    [InlineData("{\"type\":7,\"id\":\"t0\"}", "Invalid parameter type for 'type', expected: string")]
    [InlineData("{\"type\":\"bogus\",\"id\":\"t0\"}", "Parameter 'type' does not accept value 'bogus'")]
    [InlineData("{}", "Parameter 'id' is missing")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":1,\"bogus\":\"x\",\"vhost\":\"y\"}", "Invalid parameter type for 'vhost', expected: boolean")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"vhost\":\"y\",\"queues\":\"z\"}", "Invalid parameter type for 'vhost', expected: boolean")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":\"z\",\"vhost\":\"y\"}", "Invalid parameter type for 'vhost', expected: boolean")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":1,\"x\":{\"a\":[[[[1]]]]}}", "Parameter 'x' is unexpected")]
    public void RefusedLikeQemu(string json, string qemuMessage)
    {
        var r = NetdevParser.Parse(json);
        Assert.Null(r.Options);
        Assert.Equal(qemuMessage, r.Error);
    }

    [Theory(DisplayName = "O12: QEMU 7.2's messages at the edges of its lexer and parser (input ending inside a number or keyword, keyword letters, surrogate ranges, nesting)")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":1", "JSON parse error, premature EOI")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":0", "JSON parse error, premature EOI")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":1.5", "JSON parse error, premature EOI")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":1e5", "JSON parse error, premature EOI")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":1e+", "JSON parse error, stray '1e+'")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":tru", "JSON parse error, invalid keyword 'tru'")]
    [InlineData("{\"a\":z}", "JSON parse error, invalid keyword 'z'")]
    [InlineData("{\"a\":a}", "JSON parse error, invalid keyword 'a'")]
    [InlineData("{\"a\":\"\\ \"}", "JSON parse error, invalid escape sequence in string")]
    [InlineData("{\"a\":\"\\", "JSON parse error, stray '\"\\'")]
    [InlineData("{\"a\":[1]]}", "JSON parse error, expected separator in dict")]
    [InlineData("{\"a\":{},\"id\":\"t0\",\"type\":\"tap\"}", "Parameter 'a' is unexpected")]
    [InlineData("{\"a\":1,", "JSON parse error, premature EOI")]
    [InlineData("{\"a\":[", "JSON parse error, premature EOI")]
    [InlineData("{\"a\":[1 2]}", "JSON parse error, expected separator in list")]
    [InlineData("{\"a\":[[1],[2]],\"type\":\"tap\",\"id\":\"t0\"}", "Parameter 'a' is unexpected")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"script\":\"\\udc00\"}", "JSON parse error, \\udc00 is not a valid Unicode character")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"script\":\"\\udfff\"}", "JSON parse error, \\udfff is not a valid Unicode character")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"script\":\"\\udbff\\u0041\"}", "JSON parse error, \\udbff is not a valid Unicode character")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":2e0}", "Parameter 'queues' expects uint64")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":-2}", "Parameter 'queues' expects uint32_t")]
    public void EdgesLikeQemu(string json, string qemuMessage)
    {
        var r = NetdevParser.Parse(json);
        Assert.Null(r.Options);
        Assert.Equal(qemuMessage, r.Error);
    }

    [Fact(DisplayName = "O12: every escape QEMU knows, raw characters outside the BMP, the ends of the surrogate ranges, and trailing whitespace")]
    public void EscapesAndSurrogates()
    {
        var r = NetdevParser.Parse("{\"type\":\"tap\",\"id\":\"t0\",\"script\":\"\\b\\f\\n\\r\\t\\/\\\\ a\U0001F600b \\ud7ff\\ue000 \\ud800\\udc00\\udbff\\udfff\"}  \n");
        Assert.Null(r.Error);
        Assert.Equal("\b\f\n\r\t/\\ a\U0001F600b \ud7ff\ue000 \U00010000\U0010FFFF", ((TapOptions)r.Options!).Script);
        Assert.Equal("JSON parse error, invalid UTF-8 sequence in string", NetdevParser.Parse("{\"type\":\"tap\",\"id\":\"t0\",\"script\":\"a\udc00\"}").Error);
        Assert.Equal("Expecting a JSON value", QemuJson.Parse(" \t\r\n").Error);
    }

    [Theory(DisplayName = "O12: QEMU's JSON dialect: single quotes, escapes, negative sizes taken modulo 2^64")]
    [InlineData("{'type':'tap','id':'t0','script':'no','downscript':'no'}", "no")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"script\":\"a\\/b\\u00e9\\ud83d\\ude00\"}", "a/bé😀")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"script\":\"it\\'s \\\"q\\\"\\t\"}", "it's \"q\"\t")]
    public void Dialect(string json, string script)
    {
        var r = NetdevParser.Parse(json);
        Assert.Null(r.Error);
        Assert.Equal(script, ((TapOptions)r.Options!).Script);
    }

    [Fact(DisplayName = "O12: sndbuf -5 and queues -0 are accepted: QEMU's unsigned visitor takes negative integers modulo 2^64")]
    public void NegativeUnsigned()
    {
        var r = NetdevParser.Parse("{\"type\":\"tap\",\"id\":\"t0\",\"sndbuf\":-5,\"queues\":-0}");
        Assert.Null(r.Error);
        Assert.Equal(18446744073709551611UL, ((TapOptions)r.Options!).Sndbuf);
        Assert.Equal(0U, ((TapOptions)r.Options!).Queues);
    }

    [Theory(DisplayName = "O12: 1024 open objects and arrays at once is QEMU's limit (MAX_NESTING); one more is refused")]
    [InlineData(1023, null)]
    [InlineData(1024, "JSON nesting depth limit exceeded")]
    [InlineData(100_000, "JSON nesting depth limit exceeded")]
    public void Nesting(int arrays, string? error)
    {
        var json = "{\"a\":" + new string('[', arrays) + new string(']', arrays) + "}";
        Assert.Equal(error, QemuJson.Parse(json).Error);
    }

    [Theory(DisplayName = "Ours: a string member with \\u0000 is refused (QEMU hands a modified-UTF-8 NUL to C); an id that is not an identifier too")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"ifname\":\"a\\u0000b\"}", "Parameter 'ifname' expects a string without NUL characters")]
    [InlineData("{\"type\":\"tap\",\"id\":\"0t\"}", "Parameter 'id' expects an identifier\nIdentifiers consist of letters, digits, '-', '.', '_', starting with a letter.")]
    [InlineData("{\"type\":\"tap\",\"id\":\"\"}", "Parameter 'id' expects an identifier\nIdentifiers consist of letters, digits, '-', '.', '_', starting with a letter.")]
    public void OurRefusals(string json, string message) => Assert.Equal(message, NetdevParser.Parse(json).Error);
}
