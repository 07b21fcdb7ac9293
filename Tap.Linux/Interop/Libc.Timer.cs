using System.Runtime.InteropServices;
using Tap.Core.Abi;
using Tmds.Linux;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    private const long NsPerSecond = 1_000_000_000;

    /// <summary>struct itimerspec: an interval (0: one-shot) and a first expiry.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ITimerSpec
    {
        public long IntervalSeconds;
        public long IntervalNs;
        public long ValueSeconds;
        public long ValueNs;
    }

    /// <summary>clock_gettime(CLOCK_MONOTONIC) in nanoseconds; it cannot fail for this clock (EFAULT aside).</summary>
    internal static unsafe long MonotonicNs()
    {
        timespec now;
        if (ClockGetTimeRaw(CLOCK_MONOTONIC, &now) != 0)
        {
            throw new InvalidOperationException($"clock_gettime(CLOCK_MONOTONIC): {ErrnoText.Of(LastErrno())}");
        }
        return (long)now.tv_sec * NsPerSecond + (long)now.tv_nsec;
    }

    /// <summary>timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC).</summary>
    internal static Errno TimerFdCreate(out FdHandle handle)
    {
        int fd = TimerFdCreateRaw(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (fd < 0)
        {
            handle = null!;
            return LastErrno();
        }
        handle = new FdHandle(fd);
        return Errno.None;
    }

    /// <summary>timerfd_settime(fd, TFD_TIMER_ABSTIME, one expiry at <paramref name="dueNs"/>); 0 disarms.</summary>
    internal static unsafe Errno TimerFdSetTime(FdHandle fd, long dueNs)
    {
        using var n = new Borrowed(fd);
        var value = new ITimerSpec { ValueSeconds = dueNs / NsPerSecond, ValueNs = dueNs % NsPerSecond };
        return TimerFdSetTimeRaw(n.Fd, TFD_TIMER_ABSTIME, &value, null) == 0 ? Errno.None : LastErrno();
    }
}
