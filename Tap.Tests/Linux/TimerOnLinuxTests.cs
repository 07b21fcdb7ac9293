using System.Buffers.Binary;
using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Linux;

namespace Tap.Tests.Linux;

/// <summary>The rate limits' clock and timer on the real kernel (docs/rate-limits.md#time).</summary>
public sealed class TimerOnLinuxTests
{
    private const long Ms = 1_000_000;

    private sealed class Fired : IFdHandler
    {
        public int Count { get; private set; }

        public void OnReadable() => Count++;

        public void OnWritable()
        {
        }
    }

    [Fact(DisplayName = "Rate limits on Linux: a timerfd armed to an absolute monotonic time fires once, not before it")]
    public void TimerFiresAtItsTime()
    {
        using var loop = new EpollLoop();
        using var os = new LinuxOsNet(loop);
        long before = os.ClockMonotonicNs();
        Assert.True(os.ClockMonotonicNs() >= before);
        var timer = os.TimerFdCreate();
        Assert.True(timer.Ok, timer.Error.ToString());
        var fired = new Fired();
        os.Watch(timer.Value, fired, readable: true, writable: false);
        Span<byte> expiry = stackalloc byte[8];
        Assert.Equal(Errno.EAGAIN, os.Read(timer.Value, expiry).Error);   // disarmed: nothing to read

        long due = os.ClockMonotonicNs() + 30 * Ms;
        Assert.True(os.TimerFdSetTime(timer.Value, due).Ok);
        for (int i = 0; i < 100 && fired.Count == 0; i++)
        {
            loop.RunOnce(100);   // bounded: 10 s in all
        }
        Assert.Equal(1, fired.Count);
        Assert.True(os.ClockMonotonicNs() >= due, "fired before its time");
        Assert.Equal(8, os.Read(timer.Value, expiry).Value);
        Assert.Equal(1UL, BinaryPrimitives.ReadUInt64LittleEndian(expiry));
        Assert.Equal(0, loop.RunOnce(50));                                  // one-shot: quiet after the read
        Assert.Equal(Errno.EINVAL, os.TimerFdSetTime(timer.Value, -1).Error);
        Assert.Equal(Errno.EBADF, os.TimerFdSetTime(new Fd(9999), due).Error);
        Assert.True(os.Close(timer.Value).Ok);
    }
}
