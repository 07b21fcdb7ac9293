using Tap.Core.Os;

namespace Tap.Trace;

public sealed partial class ReplayOsNet
{
    public long ClockMonotonicNs() => Answer(TraceCalls.ClockMonotonic(), TraceCalls.ParseClock);

    public SysResult<Fd> TimerFdCreate() => Answer(TraceCalls.TimerFdCreate(), TraceCalls.ParseFd);

    public SysResult TimerFdSetTime(Fd fd, long dueNs) =>
        Answer(TraceCalls.TimerFdSetTime(fd, dueNs), TraceCalls.ParseSys);
}
