using System.Text;
using Tap.Core.Os;

namespace Tap.Trace;

public static partial class TraceCalls
{
    public static string ClockMonotonic() => "ClockMonotonic";
    public static string TimerFdCreate() => "TimerFdCreate";
    public static string TimerFdSetTime(Fd fd, long dueNs) =>
        new StringBuilder("TimerFdSetTime ").Append(fd).SpInt(dueNs).ToString();

    /// <summary>A clock reading as written: <c>ok NS</c>.</summary>
    public static string Result(long ns) => "ok " + ns.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A clock reading, which is never negative.</summary>
    /// <exception cref="FormatException">Not a result of this shape.</exception>
    public static long ParseClock(IReadOnlyList<string> t)
    {
        if (!IsOk(t, 1))
        {
            throw new FormatException("expected 'ok NS'");
        }
        long ns = TraceText.Number(t[1]);
        return ns >= 0 ? ns : throw new FormatException($"the clock read {ns}, before its start");
    }
}
