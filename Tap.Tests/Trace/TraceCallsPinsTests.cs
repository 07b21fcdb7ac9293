using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Trace;

namespace Tap.Tests.Trace;

/// <summary>
/// Call results read back by <see cref="TraceCalls"/> (docs/trace-format.md §4, §4.1): each shape reads to its
/// value, an answer no kernel gives is refused with a message naming it, and the edge values a kernel does give read.
/// </summary>
public sealed class TraceCallsPinsTests
{
    private static string Refused(Func<object> read) => Assert.Throws<FormatException>(read).Message;

    [Fact(DisplayName = "Trace §4: ClockMonotonic is 'ok NS'; 0 reads, a negative time or an error is refused")]
    public void Clock()
    {
        Assert.Equal(0L, TraceCalls.ParseClock(["ok", "0"]));
        Assert.Equal("the clock read -1, before its start", Refused(() => TraceCalls.ParseClock(["ok", "-1"])));
        Assert.Equal("expected 'ok NS'", Refused(() => TraceCalls.ParseClock(["err", "EAGAIN"])));
    }

    [Fact(DisplayName = "Trace §4: TunGetIff's error reads as the error, not as a name")]
    public void IffError()
    {
        var r = TraceCalls.ParseIff(["err", "ENODEV"]);
        Assert.Equal(Errno.ENODEV, r.Error);
        Assert.Equal(new TunInterfaceInfo("tap0", (TunFlags)0x1002),
            TraceCalls.ParseIff(["ok", "\"tap0\"", "0x1002"]).Value);
    }

    [Fact(DisplayName = "Trace §4.1: a write of 0 up to what was offered reads; one byte more is refused")]
    public void Written()
    {
        Assert.Equal(0, TraceCalls.ParseWritten(["ok", "0"], 4).Value);
        Assert.Equal(4, TraceCalls.ParseWritten(["ok", "4"], 4).Value);
        Assert.Equal("the write returned 5 bytes of 4 offered", Refused(() => TraceCalls.ParseWritten(["ok", "5"], 4)));
    }

    [Fact(DisplayName = "Trace §4.1: a read of 0 bytes reads; a count other than the payload's is refused")]
    public void ReadCounts()
    {
        var buffer = new byte[8];
        Assert.Equal(0, TraceCalls.ParseRead(["ok", "0", "x:"], buffer).Value);
        Assert.Equal("the read returned 3 bytes but its payload holds 2",
            Refused(() => TraceCalls.ParseRead(["ok", "3", "x:0102"], buffer)));
        Assert.Equal("the read returned 3 bytes but its payload hash is of 2",
            Refused(() => TraceCalls.ParseRead(["ok", "3", "2#cbf43926"], buffer)));
    }

    [Fact(DisplayName = "Trace §4.2: a hashed read hands the core zeros of the recorded length, and no more")]
    public void HashedReadIsZeros()
    {
        var buffer = new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff };
        Assert.Equal(3, TraceCalls.ParseRead(["ok", "3", "3#01020304"], buffer).Value);
        Assert.Equal(new byte[] { 0, 0, 0, 0xff, 0xff }, buffer);
    }

    [Fact(DisplayName = "Trace §4: a child's end is three tokens of the documented words; others are refused")]
    public void ChildShapes()
    {
        Assert.Equal("expected a child's end (END CODE ERRNO), found 2 token(s)",
            Refused(() => TraceCalls.ParseChild(["exited", "0"])));
        Assert.Equal("unknown child end 'crashed'", Refused(() => TraceCalls.ParseChild(["crashed", "0", "-"])));
        Assert.Equal(ChildOutcome.SpawnFailure(Errno.EAGAIN), TraceCalls.ParseChild(["spawn-failed", "0", "EAGAIN"]));
    }

    [Fact(DisplayName = "Trace §4.1: exit codes 0-255 and signals 1-64 read; one past either end is refused")]
    public void ChildCodeRanges()
    {
        Assert.Equal(ChildOutcome.Exit(255), TraceCalls.ParseChild(["exited", "255", "-"]));
        Assert.Equal(ChildOutcome.Exit(0), TraceCalls.ParseChild(["exited", "0", "-"]));
        Assert.Equal(ChildOutcome.Signal(1), TraceCalls.ParseChild(["signaled", "1", "-"]));
        Assert.Equal(ChildOutcome.Signal(64), TraceCalls.ParseChild(["signaled", "64", "-"]));
        Assert.Equal("no child ends exited with 256", Refused(() => TraceCalls.ParseChild(["exited", "256", "-"])));
        Assert.Equal("no child ends exited with -1", Refused(() => TraceCalls.ParseChild(["exited", "-1", "-"])));
        Assert.Equal("no child ends signaled with 0", Refused(() => TraceCalls.ParseChild(["signaled", "0", "-"])));
        Assert.Equal("no child ends signaled with 65", Refused(() => TraceCalls.ParseChild(["signaled", "65", "-"])));
    }

    [Fact(DisplayName = "Trace §4: a helper outcome is six tokens; five are refused, counted")]
    public void HelperShape()
    {
        Assert.Equal("expected a helper outcome (RECEIVE FD ERRNO END CODE ERRNO), found 5 token(s)",
            Refused(() => TraceCalls.ParseHelper(["fd", "5", "-", "exited", "0"])));
        Assert.Equal("unknown helper receive 'maybe'",
            Refused(() => TraceCalls.ParseHelper(["maybe", "5", "-", "exited", "0", "-"])));
        var failed = TraceCalls.ParseHelper(["socketpair-failed", "-1", "EMFILE", "spawn-failed", "0", "-"]);
        Assert.Equal(HelperReceive.SocketPairFailed, failed.Receive);
        Assert.Equal(Errno.EMFILE, failed.Error);
    }

    [Fact(DisplayName = "Trace §4.1: only a received fd must be a kernel's fd; with no fd, -1 reads")]
    public void HelperFd()
    {
        var eof = TraceCalls.ParseHelper(["eof", "-1", "-", "exited", "0", "-"]);
        Assert.Equal(HelperReceive.Eof, eof.Receive);
        Assert.Equal(new Fd(-1), eof.ReceivedFd);
        Assert.Equal(new Fd(7), TraceCalls.ParseHelper(["fd", "7", "-", "exited", "0", "-"]).ReceivedFd);
        Assert.Equal("fd -1 is no fd a kernel hands out",
            Refused(() => TraceCalls.ParseHelper(["fd", "-1", "-", "exited", "0", "-"])));
    }

    [Fact(DisplayName = "Trace §4: VhostNetInit's result is 'ok' or 'fail \"DETAIL\"', anything else is refused")]
    public void Vhost()
    {
        Assert.Equal(VhostInitResult.Failure("no"), TraceCalls.ParseVhost(["fail", "\"no\""]));
        Assert.Equal("expected 'ok' or 'fail \"DETAIL\"'", Refused(() => TraceCalls.ParseVhost(["err", "EIO"])));
    }

    [Fact(DisplayName = "Trace §4.1: a missing result and a result of the wrong shape are refused, quoted")]
    public void WrongResults()
    {
        Assert.Equal("the call has no result", Refused(() => TraceCalls.ParseSys([])));
        Assert.Equal("unexpected result 'okay'", Refused(() => TraceCalls.ParseSys(["okay"])));
        Assert.Equal("unexpected result 'ok 3'", Refused(() => TraceCalls.ParseSys(["ok", "3"])));
    }

    [Fact(DisplayName = "Trace §4.1: fds 0 up to 2^20-1 read; a negative fd or 2^20 is refused")]
    public void FdRange()
    {
        Assert.Equal(new Fd(0), TraceCalls.ParseFd(["ok", "0"]).Value);
        Assert.Equal(new Fd(1048575), TraceCalls.ParseFd(["ok", "1048575"]).Value);
        Assert.Equal("fd -1 is no fd a kernel hands out", Refused(() => TraceCalls.ParseFd(["ok", "-1"])));
        Assert.Equal("fd 1048576 is no fd a kernel hands out", Refused(() => TraceCalls.ParseFd(["ok", "1048576"])));
    }

    [Fact(DisplayName = "Trace §4.1: interface names of 1-15 bytes read; empty, 16 bytes, '/' or a space are refused")]
    public void InterfaceNames()
    {
        Assert.Equal("abcdefghijklmno", TraceCalls.ParseName(["ok", "\"abcdefghijklmno\""]).Value);
        Assert.Equal("a", TraceCalls.ParseName(["ok", "\"a\""]).Value);
        Assert.Equal("'' is no interface name a kernel reports", Refused(() => TraceCalls.ParseName(["ok", "\"\""])));
        Assert.Equal("'abcdefghijklmnop' is no interface name a kernel reports",
            Refused(() => TraceCalls.ParseName(["ok", "\"abcdefghijklmnop\""])));
        Assert.Equal("'éééééééé' is no interface name a kernel reports",
            Refused(() => TraceCalls.ParseName(["ok", "\"éééééééé\""])));
        Assert.Equal("'a/b' is no interface name a kernel reports",
            Refused(() => TraceCalls.ParseName(["ok", "\"a/b\""])));
        Assert.Equal("'a b' is no interface name a kernel reports",
            Refused(() => TraceCalls.ParseName(["ok", "\"a b\""])));
    }
}
