using Tap.Core.Os;

namespace Tap.Trace;

public sealed partial class RecordingOsNet
{
    public long ClockMonotonicNs() => Rec(TraceCalls.ClockMonotonic(), inner.ClockMonotonicNs(), TraceCalls.Result);

    public SysResult<Fd> TimerFdCreate() => Rec(TraceCalls.TimerFdCreate(), inner.TimerFdCreate(), TraceCalls.Result);

    public SysResult TimerFdSetTime(Fd fd, long dueNs) =>
        Rec(TraceCalls.TimerFdSetTime(fd, dueNs), inner.TimerFdSetTime(fd, dueNs), TraceCalls.Result);
}
