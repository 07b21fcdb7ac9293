namespace Tap.Core.Os;

/// <summary>The clock and timer calls (docs/rate-limits.md).</summary>
public static partial class KernelCalls
{
    public static string ClockMonotonic() => "ClockMonotonic";
    public static string TimerFdCreate() => "TimerFdCreate";
    public static string TimerFdSetTime(Fd fd, long dueNs) => FdInt("TimerFdSetTime ", fd, dueNs);
}
