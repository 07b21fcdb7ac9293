using Tap.Core.Options;

namespace Tap.Tests.Pins;

/// <summary>
/// ST3 at its edges: keyval_parse's keys and separators, the QAPI input visitor's type checks in keyval and JSON
/// mode, and every member of the socket address reaching the options. Messages are QEMU's (qapi/qobject-input-
/// visitor.c, util/keyval.c), checked against QEMU 7.2's output (<c>qemu-system-x86_64 -M none -nodefaults
/// -display none -netdev ARG</c>, 2026-12-03) for every member 7.2 has; <c>reconnect</c>, <c>reconnect-ms</c> and
/// the keep-alive timings are newer and go through the same visitor paths as <c>addr.to</c>.
/// </summary>
public sealed class SocketOptionPinsTests
{
    private const string Unix = ",addr.type=unix,addr.path=/tmp/x";

    private static NetdevParseResult Parse(string arg) => NetdevParser.Parse(arg);

    private static string? Error(string arg)
    {
        var r = Parse(arg);
        Assert.False(r.Ok, "refused");
        return r.Error;
    }

    [Fact(DisplayName = "ST3: keyval: a trailing comma ends the last item")]
    public void TrailingComma()
    {
        var r = Parse("stream,id=s0,addr.type=unix,addr.path=/tmp/x,");
        Assert.True(r.Ok, r.Error);
        Assert.Equal(new UnixAddressOptions("/tmp/x"), ((StreamOptions)r.Options!).Addr);
        var comma = Parse("stream,id=s0,addr.type=unix,addr.path=/tmp/x,,");
        Assert.True(comma.Ok, comma.Error);
        Assert.Equal(new UnixAddressOptions("/tmp/x,"), ((StreamOptions)comma.Options!).Addr);
    }

    [Theory(DisplayName = "ST3: keyval: a key fragment starts with a letter or digit and is not empty")]
    [InlineData("stream,id=s0,-a=1" + Unix, "Invalid parameter '-a'")]
    [InlineData("stream,id=s0,_a=1" + Unix, "Invalid parameter '_a'")]
    [InlineData("stream,id=s0,addr..type=unix", "Invalid parameter 'addr..type'")]
    [InlineData("stream,id=s0,addr.=unix", "Invalid parameter 'addr.'")]
    [InlineData("stream,id=s0,=1" + Unix, "Invalid parameter ''")]
    public void KeyFragments(string arg, string message) => Assert.Equal(message, Error(arg));

    [Fact(DisplayName = "ST3: keyval: a scalar key given after its nested keys is used inconsistently")]
    public void NestedThenScalar() =>
        Assert.Equal("Parameters 'addr.*' used inconsistently", Error("stream,id=s0,addr.type=unix,addr=x"));

    [Theory(DisplayName = "ST3: keyval: an object where a scalar belongs: 'Parameters 'X.*' are unexpected'")]
    [InlineData("stream,id=s0,server.x=on" + Unix, "Parameters 'server.*' are unexpected")]
    [InlineData("stream,id=s0,reconnect.x=1" + Unix, "Parameters 'reconnect.*' are unexpected")]
    [InlineData("stream,id=s0,addr.type=unix,addr.path=/x,addr.tight.y=on", "Parameters 'addr.tight.*' are unexpected")]
    [InlineData("stream,id=s0,addr.type=unix,addr.path.x=1", "Parameters 'addr.path.*' are unexpected")]
    [InlineData("stream,id=s0,addr.type.x=unix", "Parameters 'addr.type.*' are unexpected")]
    [InlineData("stream,id=s0,addr.type=inet,addr.host=h,addr.port=1,addr.to.x=1", "Parameters 'addr.to.*' are unexpected")]
    [InlineData("stream,id.x=s0" + Unix, "Parameters 'id.*' are unexpected")]
    public void ObjectForScalar(string arg, string message) => Assert.Equal(message, Error(arg));

    [Theory(DisplayName = "ST3: keyval integers: digits to the end, within uint64, then the member's C type")]
    [InlineData("stream,id=s0,reconnect=5x" + Unix, "Parameter 'reconnect' expects integer")]
    [InlineData("stream,id=s0,reconnect=18446744073709551616" + Unix, "Parameter 'reconnect' expects integer")]
    [InlineData("stream,id=s0,reconnect=4294967296" + Unix, "Parameter 'reconnect' expects uint32_t")]
    [InlineData("stream,id=s0,reconnect-ms=4294967296" + Unix, "Parameter 'reconnect-ms' expects uint32_t")]
    [InlineData("stream,id=s0,addr.type=inet,addr.host=h,addr.port=1,addr.keep-alive-count=4294967296",
        "Parameter 'keep-alive-count' expects uint32_t")]
    [InlineData("stream,id=s0,addr.type=inet,addr.host=h,addr.port=1,addr.keep-alive-idle=4294967296",
        "Parameter 'keep-alive-idle' expects uint32_t")]
    [InlineData("stream,id=s0,addr.type=inet,addr.host=h,addr.port=1,addr.keep-alive-interval=4294967296",
        "Parameter 'keep-alive-interval' expects uint32_t")]
    public void KeyvalIntegers(string arg, string message) => Assert.Equal(message, Error(arg));

    [Fact(DisplayName = "ST3: the largest values of each C type are taken")]
    public void LargestValues()
    {
        var r = Parse("stream,id=s0,reconnect-ms=4294967295,addr.type=inet,addr.host=h,addr.port=1,addr.to=65535,"
            + "addr.keep-alive-count=4294967295,addr.keep-alive-idle=7,addr.keep-alive-interval=8,addr.mptcp=on,"
            + "addr.numeric=on,addr.ipv4=on,addr.ipv6=off,addr.keep-alive=on");
        Assert.True(r.Ok, r.Error);
        var s = (StreamOptions)r.Options!;
        Assert.Equal(4294967295u, s.ReconnectMs);
        Assert.Equal(new InetAddressOptions("h", "1")
        {
            To = 65535,
            KeepAliveCount = 4294967295,
            KeepAliveIdle = 7,
            KeepAliveInterval = 8,
            Mptcp = true,
            Numeric = true,
            Ipv4 = true,
            Ipv6 = false,
            KeepAlive = true,
        }, s.Addr);
    }

    [Theory(DisplayName = "ST3: JSON integers: the number's own type, then the member's C type")]
    [InlineData("18446744073709551615", "Parameter 'reconnect-ms' expects uint32_t")]
    [InlineData("-1", "Parameter 'reconnect-ms' expects uint32_t")]
    [InlineData("1.5", "Parameter 'reconnect-ms' expects uint64")]
    public void JsonIntegers(string value, string message) =>
        Assert.Equal(message, Error("{\"id\":\"s0\",\"type\":\"stream\",\"reconnect-ms\":" + value
            + ",\"addr\":{\"type\":\"unix\",\"path\":\"/x\"}}"));

    [Theory(DisplayName = "ST3: of two members nobody read, the first given is named (QEMU: its hash order)")]
    [InlineData("bogus=1,zzz=2", "bogus")]
    [InlineData("zzz=1,bogus=2", "zzz")]
    public void FirstUnexpected(string members, string named) =>
        Assert.Equal($"Parameter '{named}' is unexpected", Error($"stream,id=s0,{members}" + Unix));

    [Fact(DisplayName = "ST3: the first error stands; members nobody read after it are not reported")]
    public void FirstErrorStands() =>
        Assert.Equal("Parameter 'server' expects 'on' or 'off'",
            Error("stream,id=s0,server=maybe,reconnect=1" + Unix));

    [Theory(DisplayName = "ST3: an address needs its type, and vsock both cid and port")]
    [InlineData("stream,id=s0,addr.path=/x", "Parameter 'addr.type' is missing")]
    [InlineData("stream,id=s0,addr.type=vsock,addr.port=1", "Parameter 'addr.cid' is missing")]
    [InlineData("stream,id=s0,addr.type=vsock,addr.cid=2", "Parameter 'addr.port' is missing")]
    public void AddressMembers(string arg, string message) => Assert.Equal(message, Error(arg));

    [Fact(DisplayName = "ST3: the unix, fd and vsock branches keep every member given")]
    public void Branches()
    {
        Assert.Equal(new UnixAddressOptions("/p") { Abstract = true, Tight = false },
            ((StreamOptions)Parse("stream,id=s0,addr.type=unix,addr.path=/p,addr.abstract=on,addr.tight=off")
                .Options!).Addr);
        Assert.Equal(new VsockAddressOptions("2", "77"),
            ((StreamOptions)Parse("stream,id=s0,addr.type=vsock,addr.cid=2,addr.port=77").Options!).Addr);
        Assert.Equal(new FdAddressOptions("5"),
            ((StreamOptions)Parse("stream,id=s0,addr.type=fd,addr.str=5").Options!).Addr);
    }

    [Fact(DisplayName = "ST3: an address's Kind is its QAPI type name")]
    public void Kinds()
    {
        Assert.Equal("inet", new InetAddressOptions("h", "1").Kind);
        Assert.Equal("unix", new UnixAddressOptions("/p").Kind);
        Assert.Equal("fd", new FdAddressOptions("3").Kind);
        Assert.Equal("vsock", new VsockAddressOptions("2", "1").Kind);
    }

    [Fact(DisplayName = "ST3: a JSON syntax error is the JSON parser's message")]
    public void JsonSyntax()
    {
        // Handles sees the type before the error; the parse then reports it as QEMU's JSON parser words it.
        Assert.Equal("JSON parse error, expecting value",
            SocketNetdevParser.Parse("{\"id\":\"s0\",\"type\":\"stream\",\"addr\":}").Error);
    }
}
