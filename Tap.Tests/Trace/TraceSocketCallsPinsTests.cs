using System.Net;
using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Trace;

namespace Tap.Tests.Trace;

/// <summary>
/// Socket call results read back by <see cref="TraceSocketCalls"/> (docs/trace-format.md, docs/stream-dgram.md
/// ST2): values read, errors stay errors, and a miscounted or misspelt result is refused, naming what is wrong.
/// </summary>
public sealed class TraceSocketCallsPinsTests
{
    private static string Refused(Func<object> read) => Assert.Throws<FormatException>(read).Message;

    [Fact(DisplayName = "ST2 trace: a pending error is 'ok ERRNO'; an error result stays an error")]
    public void Pending()
    {
        var pending = TraceSocketCalls.ParsePending(["ok", "ECONNREFUSED"]);
        Assert.True(pending.Ok);
        Assert.Equal(Errno.ECONNREFUSED, pending.Value.Error);
        Assert.Equal(Errno.None, TraceSocketCalls.ParsePending(["ok", "-"]).Value.Error);
        var failed = TraceSocketCalls.ParsePending(["err", "EBADF"]);
        Assert.False(failed.Ok);
        Assert.Equal(Errno.EBADF, failed.Error);
        Assert.Equal("expected a value after 'ok'", Refused(() => TraceSocketCalls.ParsePending(["ok"])));
    }

    [Fact(DisplayName = "ST2 trace: an address result is 'ok \"ADDR\"'; an error result stays an error")]
    public void Address()
    {
        Assert.Equal(new InetSockAddr(IPAddress.Parse("169.254.0.1"), 80),
            TraceSocketCalls.ParseAddr(["ok", "\"i:169.254.0.1:80\""]).Value);
        Assert.Equal(Errno.ENOTCONN, TraceSocketCalls.ParseAddr(["err", "ENOTCONN"]).Error);
    }

    [Fact(DisplayName = "ST2 trace: ResolveHost is 'ok N ADDR...'; zero addresses read, errors stay errors")]
    public void Addresses()
    {
        var two = TraceSocketCalls.ParseAddresses(["ok", "2", "169.254.0.1", "::1"]);
        Assert.True(two.Ok);
        Assert.Equal(new[] { IPAddress.Parse("169.254.0.1"), IPAddress.IPv6Loopback }, two.Value);
        var none = TraceSocketCalls.ParseAddresses(["ok", "0"]);
        Assert.True(none.Ok);
        Assert.Empty(none.Value);
        var failed = TraceSocketCalls.ParseAddresses(["err", "ENOENT"]);
        Assert.Equal(Errno.ENOENT, failed.Error);
        Assert.Empty(failed.Value);
    }

    [Fact(DisplayName = "ST2 trace: ResolveHost with a count that does not match its addresses is refused, counted")]
    public void AddressCounts()
    {
        Assert.Equal("ResolveHost: 1 addresses announced, 0 found",
            Refused(() => TraceSocketCalls.ParseAddresses(["ok", "1"])));
        Assert.Equal("ResolveHost: 2 addresses announced, 1 found",
            Refused(() => TraceSocketCalls.ParseAddresses(["ok", "2", "169.254.0.1"])));
        Assert.Equal("ResolveHost: -1 addresses announced, 0 found",
            Refused(() => TraceSocketCalls.ParseAddresses(["ok", "-1"])));
        Assert.Equal("bad address not-an-ip",
            Refused(() => TraceSocketCalls.ParseAddresses(["ok", "1", "not-an-ip"])));
    }

    [Fact(DisplayName = "ST2 trace: address tokens 'i:IP:PORT' and 'u:FLAGS:PATH' read; another prefix is refused")]
    public void AddressTokens()
    {
        Assert.Equal(new InetSockAddr(IPAddress.Parse("169.254.0.1"), 80),
            TraceSocketCalls.ParseAddrText("i:169.254.0.1:80"));
        Assert.Equal(new UnixSockAddr("/tmp/s", Abstract: true, Tight: true),
            TraceSocketCalls.ParseAddrText("u:at:/tmp/s"));
        Assert.Equal("'v:at:/tmp/s' is not an address", Refused(() => TraceSocketCalls.ParseAddrText("v:at:/tmp/s")));
        Assert.Equal("'i:169.254.0.1' is not an address",
            Refused(() => TraceSocketCalls.ParseAddrText("i:169.254.0.1")));
    }
}
