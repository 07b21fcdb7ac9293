namespace Tap.Core.Os;

/// <summary>
/// Time, for the rate limits (docs/rate-limits.md): the core reads the clock and arms a timer as calls, never by
/// itself, so a simulated kernel can run time as it likes and a trace can replay it. A timer is an fd: its expiry
/// makes it readable in the main loop, and an 8-byte <see cref="Read"/> takes the expiry.
/// </summary>
public partial interface IOsNet
{
    /// <summary><c>clock_gettime(CLOCK_MONOTONIC)</c>, in nanoseconds.</summary>
    long ClockMonotonicNs();

    /// <summary>
    /// <c>timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)</c>: a one-shot timer, disarmed.
    /// </summary>
    SysResult<Fd> TimerFdCreate();

    /// <summary>
    /// <c>timerfd_settime(fd, TFD_TIMER_ABSTIME, {0, dueNs})</c>: one expiry at <paramref name="dueNs"/> on the
    /// monotonic clock (a time already past expires at once); 0 disarms.
    /// </summary>
    SysResult TimerFdSetTime(Fd fd, long dueNs);
}
