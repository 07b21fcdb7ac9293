using Tap.Core.Abi;
using Tmds.Linux;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    /// <summary>CLOCK_MONOTONIC: reconnect delays must not jump with the wall clock.</summary>
    private const int ClockMonotonic = 1;

    /// <summary>timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK); the TFD_ flags equal O_CLOEXEC and
    /// O_NONBLOCK.</summary>
    internal static Errno TimerFdCreate(out FdHandle handle) =>
        NewHandle(TimerFdCreateRaw(ClockMonotonic, LibC.O_CLOEXEC | LibC.O_NONBLOCK), out handle);

    /// <summary>A one-shot expiry <paramref name="delayMs"/> from now (0 disarms).</summary>
    internal static unsafe Errno TimerFdSet(FdHandle fd, uint delayMs)
    {
        // struct itimerspec { it_interval {sec, nsec}; it_value {sec, nsec}; }
        long* spec = stackalloc long[4];
        spec[0] = 0;
        spec[1] = 0;
        spec[2] = delayMs / 1000;
        spec[3] = delayMs % 1000 * 1_000_000L;
        using var s = new Borrowed(fd);
        return TimerFdSetTimeRaw(s.Fd, 0, spec, null) == 0 ? Errno.None : LastErrno();
    }
}
