using Tap.Core.Os;

namespace Tap.Trace;

public static partial class TraceCalls
{
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
