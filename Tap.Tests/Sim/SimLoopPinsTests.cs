using System.Buffers.Binary;
using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Sim;

namespace Tap.Tests.Sim;

/// <summary>
/// The simulated kernel's epoll-like loop and timerfds as a program sees them: interest by fd number, what closing
/// an fd does to it, which fds poll ready, the loop's counters, and timerfd_settime/read (fs/timerfd.c). Each test
/// kills mutants of SimKernel.Loop.cs or SimKernel.Time.cs that no other test noticed
/// (docs/mutation/sim-kernel-triage.md).
/// </summary>
public sealed class SimLoopPinsTests
{
    private sealed class Counter(Action? onReadable = null) : IFdHandler
    {
        public int Readable { get; private set; }
        public int Writable { get; private set; }

        public void OnReadable()
        {
            Readable++;
            onReadable?.Invoke();
        }

        public void OnWritable() => Writable++;
    }

    private static SimKernel UpTap(string name, out Fd fd, int sndbuf = 0)
    {
        var k = new SimKernel(3);
        fd = k.OpenTunControl().Value;
        Assert.True(k.TunSetIff(fd, name, TunFlags.Tap | TunFlags.NoPi | TunFlags.VnetHdr).Ok);
        k.SetLinkUp(name, true);
        if (sndbuf > 0)
        {
            Assert.True(k.TunSetSndBuf(fd, sndbuf).Ok);
        }
        return k;
    }

    [Fact(DisplayName = "epoll: an fd with no registered interest has none, whatever its number (-1 to 300); fd 0 can be watched")]
    public void InterestOfAnyNumber()
    {
        var k = new SimKernel(1);
        for (int n = -1; n <= 300; n++)
        {
            Assert.Equal((false, false), k.InterestOf(new Fd(n)));
        }
        k.Watch(new Fd(0), new Counter(), readable: true, writable: false);
        Assert.Equal((true, false), k.InterestOf(new Fd(0)));
    }

    [Fact(DisplayName = "epoll: closing an fd drops its interest, fd 0 and fds past 64 included; the number's next owner is not dispatched to the old handler")]
    public void CloseDropsInterest()
    {
        var k = new SimKernel(1);
        var old = new Counter();
        k.Watch(new Fd(0), old, readable: true, writable: false);     // stdin: always readable, like /dev/null
        var others = Enumerable.Range(3, 128).Select(_ => k.AddOtherFd("/dev/null")).ToList();
        Assert.Equal(130, others[^1].Number);
        Assert.True(k.Close(new Fd(0)).Ok);
        foreach (var fd in others)
        {
            Assert.True(k.Close(fd).Ok);
        }
        Assert.Equal((false, false), k.InterestOf(new Fd(0)));
        Assert.Equal(0, k.AddOtherFd("/dev/null").Number);            // the lowest free number again
        Assert.Equal(0, k.RunOnce());
        Assert.Equal(0, old.Readable);
    }

    [Fact(DisplayName = "epoll: interest on fd 64 and then fd 300 is kept, and both are dispatched when ready")]
    public void HighFdsAreWatched()
    {
        var k = new SimKernel(1);
        for (int i = 3; i <= 300; i++)
        {
            k.AddOtherFd("/dev/null");
        }
        var at64 = new Counter();
        var at300 = new Counter();
        k.Watch(new Fd(64), at64, readable: true, writable: false);
        k.Watch(new Fd(300), at300, readable: true, writable: false);
        Assert.Equal((true, false), k.InterestOf(new Fd(300)));
        Assert.Equal(2, k.RunOnce());
        Assert.Equal((1, 1), (at64.Readable, at300.Readable));
    }

    [Fact(DisplayName = "poll: a vhost fd is never readable (no IOTLB message queued), a timerfd never writable")]
    public void NeverReady()
    {
        var k = new SimKernel(1);
        var vhost = k.AddVhostFd();
        var timer = k.TimerFdCreate().Value;
        var onVhost = new Counter();
        var onTimer = new Counter();
        k.Watch(vhost, onVhost, readable: true, writable: false);
        k.Watch(timer, onTimer, readable: false, writable: true);
        Assert.Equal(0, k.RunOnce());
        Assert.Equal((0, 0, 0, 0), (onVhost.Readable, onVhost.Writable, onTimer.Readable, onTimer.Writable));
    }

    [Fact(DisplayName = "linux-tun §9: a queue whose send buffer is full is not writable; once the host drains it is, and the loop counts that call")]
    public void FullSendBufferIsNotWritable()
    {
        var k = UpTap("t0", out var fd, sndbuf: 100);
        Assert.Equal(100, k.Write(fd, new byte[10], new byte[90]).Value);
        var h = new Counter();
        k.Watch(fd, h, readable: false, writable: true);
        Assert.Equal(0, k.RunOnce());
        Assert.Equal(0, h.Writable);
        Assert.Single(k.HostReceive("t0"));
        Assert.Equal(1, k.RunOnce());
        Assert.Equal(1, h.Writable);
        Assert.Equal(1, k.Dispatches);
        Assert.Equal(2, k.Ticks);
        k.RunOnce();
        Assert.Equal(3, k.Ticks);
        Assert.Equal(2, k.Dispatches);
    }

    [Fact(DisplayName = "Loop: RunUntilIdle counts the idle iteration (two frames read one per call: 3), and stops at its bound")]
    public void RunUntilIdleCounts()
    {
        var k = UpTap("t0", out var fd);
        k.HostSend("t0", new byte[60]);
        k.HostSend("t0", new byte[60]);
        var reader = new Counter(() => k.Read(fd, new byte[100]));
        k.Watch(fd, reader, readable: true, writable: false);
        Assert.Equal(3, k.RunUntilIdle());
        Assert.Equal(2, reader.Readable);

        var busy = new SimKernel(1);
        var stdin = new Counter();
        busy.Watch(new Fd(0), stdin, readable: true, writable: false);
        Assert.Equal(2, busy.RunUntilIdle(maxIterations: 2));
        Assert.Equal(2, stdin.Readable);
        Assert.Equal(2, busy.Ticks);
    }

    [Fact(DisplayName = "timerfd_settime: EBADF for a closed fd, EINVAL for a non-timer fd or a negative time; 0 disarms")]
    public void TimerSetTime()
    {
        var k = new SimKernel(1);
        Assert.Equal(Errno.EBADF, k.TimerFdSetTime(new Fd(99), 5).Error);
        Assert.Equal(Errno.EINVAL, k.TimerFdSetTime(new Fd(0), 5).Error);
        var t = k.TimerFdCreate().Value;
        Assert.Equal(Errno.EINVAL, k.TimerFdSetTime(t, -1).Error);
        Assert.True(k.TimerFdSetTime(t, k.NowNs + 1000).Ok);
        Assert.True(k.TimerFdSetTime(t, 0).Ok);
        k.AdvanceTime(5000);
        Assert.Equal(Errno.EAGAIN, k.Read(t, new byte[8]).Error);
        var h = new Counter();
        k.Watch(t, h, readable: true, writable: false);
        Assert.Equal(0, k.RunOnce());
    }

    [Fact(DisplayName = "timerfd read: under 8 bytes EINVAL; 8 bytes after one expiry give the count 1 (u64, little-endian)")]
    public void TimerRead()
    {
        var k = new SimKernel(1);
        var t = k.TimerFdCreate().Value;
        Assert.True(k.TimerFdSetTime(t, k.NowNs + 10).Ok);
        k.AdvanceTime(10);
        Assert.Equal(Errno.EINVAL, k.Read(t, new byte[7]).Error);
        var buffer = Enumerable.Repeat((byte)0xff, 8).ToArray();
        Assert.Equal(8, k.Read(t, buffer).Value);
        Assert.Equal(1UL, BinaryPrimitives.ReadUInt64LittleEndian(buffer));
        Assert.Equal(Errno.EAGAIN, k.Read(t, new byte[8]).Error);
    }

    [Fact(DisplayName = "clock_gettime: each read is counted (a run without rate limits must read none); the clock starts at 1 s")]
    public void ClockReadsAreCounted()
    {
        var k = new SimKernel(1);
        Assert.Equal(0, k.ClockReads);
        Assert.Equal(1_000_000_000, k.ClockMonotonicNs());
        Assert.Equal(1_000_000_000, k.ClockMonotonicNs());
        Assert.Equal(2, k.ClockReads);
    }
}
