using Tap.Core.Options;

namespace Tap.Tests.Options;

/// <summary>
/// ST3: <c>-netdev stream</c> and <c>-netdev dgram</c> are read by QEMU's modern parser (keyval or JSON into QAPI).
/// Expected messages are QEMU 7.2's own output (Debian's qemu-system-x86 7.2, <c>qemu-system-x86_64 -M none
/// -nodefaults -display none -netdev ARG</c>, captured 2026-12-03), as literals; the reconnect lines come from the
/// seed's QEMU source (net/stream.c, 9.2), which 7.2 does not have.
/// </summary>
public sealed class SocketNetdevParserTests
{
    [Theory(DisplayName = "ST3: a stream/dgram argument QEMU 7.2 refuses at parse is refused with QEMU's message")]
    [InlineData("stream,id=s0", "Parameter 'addr' is missing")]
    [InlineData("stream,id=s0,server=on", "Parameter 'addr' is missing")]
    [InlineData("stream,id=s0,addr.type=inet", "Parameter 'addr.host' is missing")]
    [InlineData("stream,id=s0,addr.type=inet,addr.host=127.0.0.1", "Parameter 'addr.port' is missing")]
    [InlineData("stream,id=s0,addr.type=foo", "Parameter 'type' does not accept value 'foo'")]
    [InlineData("stream,id=s0,addr.type=unix", "Parameter 'addr.path' is missing")]
    [InlineData("stream,id=s0,server=maybe,addr.type=unix,addr.path=/tmp/x",
        "Parameter 'server' expects 'on' or 'off'")]
    [InlineData("stream,id=s0,addr.type=unix,addr.path=/tmp/x,bogus=1", "Parameter 'bogus' is unexpected")]
    [InlineData("stream,id=s0,addr.type=unix,addr.path=/tmp/x,addr.bogus=1", "Parameter 'addr.bogus' is unexpected")]
    [InlineData("stream,addr.type=fd,addr.str=99", "Parameter 'id' is missing")]
    [InlineData("stream,id=s0,addr.type=unix,addr.path=/tmp/x,addr.abstract=maybe",
        "Parameter 'addr.abstract' expects 'on' or 'off'")]
    [InlineData("stream,id=s0,addr.type=inet,addr.host=169.254.1.1,addr.port=1,addr.ipv4=maybe",
        "Parameter 'addr.ipv4' expects 'on' or 'off'")]
    [InlineData("stream,id=s0,addr.type=inet,addr.host=h,addr.port=1,addr.to=x", "Parameter 'addr.to' expects integer")]
    [InlineData("stream,id=s0,addr.type=inet,addr.host=h,addr.port=1,addr.to=70000", "Parameter 'to' expects uint16_t")]
    [InlineData("stream,id=s0,addr.type=inet,addr.host=h,addr.port=1,addr.to=-1", "Parameter 'to' expects uint16_t")]
    [InlineData("stream,id=s0,add$r=1", "Invalid parameter 'add$r'")]
    [InlineData("stream,id=s0,addr=x", "Invalid parameter type for 'addr', expected: object")]
    [InlineData("stream,id=s0,addr=x,addr.type=unix", "Parameters 'addr.*' used inconsistently")]
    [InlineData("stream,id=s0,server", "Expected '=' after parameter 'server'")]
    [InlineData("stream,id=s0,addr.type=unix,addr.path=/x,server=on,server=off,addr.type=fd,addr.str=3",
        "Parameter 'addr.path' is unexpected")]
    [InlineData("{\"id\":\"s0\",\"type\":\"stream\",\"addr\":{\"type\":\"unix\",\"path\":\"/tmp/x\"},\"server\":\"on\"}",
        "Invalid parameter type for 'server', expected: boolean")]
    [InlineData("{\"id\":\"s0\",\"type\":\"stream\",\"addr\":{\"type\":\"unix\"}}", "Parameter 'addr.path' is missing")]
    [InlineData("{\"id\":\"s0\",\"type\":\"stream\",\"addr\":{\"type\":\"unix\",\"path\":\"/x\",\"abstract\":\"yes\"}}",
        "Invalid parameter type for 'addr.abstract', expected: boolean")]
    [InlineData("{\"id\":\"s0\",\"type\":\"stream\",\"addr\":\"x\"}", "Invalid parameter type for 'addr', expected: object")]
    [InlineData("{\"id\":\"s0\",\"type\":\"stream\",\"addr\":{\"type\":\"inet\",\"host\":\"h\",\"port\":1}}",
        "Invalid parameter type for 'addr.port', expected: string")]
    [InlineData("{\"id\":\"s0\",\"type\":\"stream\",\"addr\":{\"type\":\"inet\",\"host\":\"h\",\"port\":\"1\",\"to\":\"x\"}}",
        "Parameter 'addr.to' expects uint64")]
    [InlineData("{\"id\":\"s0\",\"type\":\"stream\",\"addr\":{\"type\":\"inet\",\"host\":\"h\",\"port\":\"1\",\"to\":70000}}",
        "Parameter 'to' expects uint16_t")]
    [InlineData("{\"id\":\"s0\",\"type\":\"dgram\",\"local\":{\"type\":\"fd\"}}", "Parameter 'local.str' is missing")]
    public void Refused_with_QEMUs_message(string arg, string message)
    {
        var r = NetdevParser.Parse(arg);
        Assert.False(r.Ok);
        Assert.Equal(message, r.Error);
    }

    [Fact(DisplayName = "ST3: key=value and JSON give the same options; the id is not checked as an identifier")]
    public void Both_forms_read_the_same()
    {
        var kv = NetdevParser.Parse(
            "stream,id=0s,server=off,reconnect-ms=250,addr.type=inet,addr.host=127.0.0.1,addr.port=5555,addr.to=5560");
        var json = NetdevParser.Parse("{\"id\":\"0s\",\"type\":\"stream\",\"server\":false,\"reconnect-ms\":250,"
            + "\"addr\":{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"5555\",\"to\":5560}}");
        Assert.True(kv.Ok, kv.Error);
        Assert.True(json.Ok, json.Error);
        var expected = new StreamOptions
        {
            Id = "0s",
            Server = false,
            ReconnectMs = 250,
            Addr = new InetAddressOptions("127.0.0.1", "5555") { To = 5560 },
        };
        Assert.Equal(expected, kv.Options);
        Assert.Equal(expected, json.Options);
    }

    [Fact(DisplayName = "ST3: dgram reads local and remote; ',,' is a comma inside a unix path")]
    public void Dgram_reads_both_addresses()
    {
        var r = NetdevParser.Parse(
            "dgram,id=d0,local.type=unix,local.path=/tmp/a,,b,remote.type=unix,remote.path=/tmp/c");
        Assert.True(r.Ok, r.Error);
        Assert.Equal(new DgramOptions
        {
            Id = "d0",
            Local = new UnixAddressOptions("/tmp/a,b"),
            Remote = new UnixAddressOptions("/tmp/c"),
        }, r.Options);
    }
}
