using System.Globalization;
using System.Net;
using System.Text;
using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Trace;

namespace Tap.Tests.Pins;

/// <summary>
/// The spelling of calls and results in a trace and in the simulator's record (docs/trace-format.md §3-§4, the
/// socket calls of ST2): a record is matched by its text, so each token is pinned as a literal, for the results a
/// run seldom meets (failures of calls that carry a value, a helper whose socket pair failed, a vhost failure
/// without detail) and for every kind of address token.
/// </summary>
public sealed class KernelCallsPinsTests
{
    [Fact(DisplayName = "Trace §4: a failed call that carries a value on success reads err ERRNO, not ok and a value")]
    public void FailuresOfValueCalls()
    {
        Assert.Equal("err EBADF", KernelCalls.Result((SysResult<TunFlags>)Errno.EBADF));
        Assert.Equal("err ENOTCONN", KernelCalls.Result((SysResult<SockAddr>)Errno.ENOTCONN));
        Assert.Equal("err EBADF", KernelCalls.Result((SysResult<PendingError>)Errno.EBADF));
        // As the Linux layer and the simulator give a failed getaddrinfo: an empty list with the error.
        Assert.Equal("err ENOENT",
            KernelCalls.Result(new SysResult<IReadOnlyList<IPAddress>>(Array.Empty<IPAddress>(), Errno.ENOENT)));
    }

    [Fact(DisplayName = "Trace §4: successes read ok and the value: flags, address, SO_ERROR by name or -, addresses")]
    public void SuccessesOfValueCalls()
    {
        Assert.Equal("ok 0x1002", KernelCalls.Result((SysResult<TunFlags>)(TunFlags.Tap | TunFlags.NoPi)));
        Assert.Equal("ok \"i:169.254.7.1:5000\"",
            KernelCalls.Result((SysResult<SockAddr>)new InetSockAddr(IPAddress.Parse("169.254.7.1"), 5000)));
        Assert.Equal("ok ECONNREFUSED",
            KernelCalls.Result((SysResult<PendingError>)new PendingError(Errno.ECONNREFUSED)));
        Assert.Equal("ok -", KernelCalls.Result((SysResult<PendingError>)new PendingError(Errno.None)));
        IReadOnlyList<IPAddress> two = [IPAddress.Parse("169.254.7.1"), IPAddress.Parse("fe80::1")];
        Assert.Equal("ok 2 169.254.7.1 fe80::1",
            KernelCalls.Result(new SysResult<IReadOnlyList<IPAddress>>(two, Errno.None)));
    }

    [Fact(DisplayName = "Trace §4: a helper whose socket pair failed, a child that could not be spawned")]
    public void HelperAndChildWords()
    {
        // What the Linux layer and the simulator return when socketpair() fails: no fd, no child.
        Assert.Equal("socketpair-failed 0 EMFILE exited 0 -",
            KernelCalls.Result(new HelperOutcome(HelperReceive.SocketPairFailed, default, Errno.EMFILE, default)));
        Assert.Equal("spawn-failed 0 EAGAIN", KernelCalls.Result(ChildOutcome.SpawnFailure(Errno.EAGAIN)));
    }

    [Fact(DisplayName = "Trace §4: a vhost init failure without a detail still reads fail and an empty string")]
    public void VhostFailureWithoutDetail()
    {
        Assert.Equal("fail \"\"", KernelCalls.Result(new VhostInitResult(false, null)));
        Assert.Equal("fail \"vhost_set_owner failed\"",
            KernelCalls.Result(VhostInitResult.Failure("vhost_set_owner failed")));
        Assert.Equal("ok", KernelCalls.Result(VhostInitResult.Success));
    }

    [Fact(DisplayName = "ST2: TakeSocketError, ResolveHost and SendTo to a destination or on a connected socket (-)")]
    public void SocketCallSpellings()
    {
        Assert.Equal("TakeSocketError 7", KernelCalls.TakeSocketError(new Fd(7)));
        Assert.Equal("ResolveHost \"peer.example\"", KernelCalls.ResolveHost("peer.example"));
        var to = new InetSockAddr(IPAddress.Parse("169.254.7.1"), 5000);
        Assert.Equal("SendTo 5 3 \"i:169.254.7.1:5000\"",
            KernelCalls.SendTo(new Fd(5), new byte[] { 1, 2, 3 }, to, KernelCalls.PayloadLength));
        Assert.Equal("SendTo 5 3 \"-\"",
            KernelCalls.SendTo(new Fd(5), new byte[] { 1, 2, 3 }, null, KernelCalls.PayloadLength));
    }

    [Theory(DisplayName = "ST2: a unix address token is u:FLAGS:PATH, a abstract, t tight, - neither; it reads back")]
    [InlineData("/run/s.sock", false, false, "u:-:/run/s.sock")]
    [InlineData("/run/s.sock", false, true, "u:t:/run/s.sock")]
    [InlineData("tapnet", true, false, "u:a:tapnet")]
    [InlineData("tapnet", true, true, "u:at:tapnet")]
    public void UnixAddressTokens(string path, bool isAbstract, bool tight, string token)
    {
        var address = new UnixSockAddr(path, isAbstract, tight);
        Assert.Equal(token, KernelCalls.Addr(address));
        Assert.Equal($"Bind 4 \"{token}\"", KernelCalls.Bind(new Fd(4), address));
        Assert.Equal(address, TraceSocketCalls.ParseAddrText(KernelCalls.Addr(address)));
    }

    [Fact(DisplayName = "Trace §3: an errno without a name is its number, written the same under any culture")]
    public void UnnamedErrnoIsCultureFree()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NegativeSign = "~";
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = culture;
            Assert.Equal(" 200", new StringBuilder().SpErrno((Errno)200).ToString());
            Assert.Equal(" -3", new StringBuilder().SpErrno((Errno)(-3)).ToString());
            Assert.Equal(" EAGAIN", new StringBuilder().SpErrno(Errno.EAGAIN).ToString());
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }
}
