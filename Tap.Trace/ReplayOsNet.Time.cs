using Tap.Core.Os;

namespace Tap.Trace;

public sealed partial class ReplayOsNet
{
    public long ClockMonotonicNs() => Answer(KernelCalls.ClockMonotonic(), TraceCalls.ParseClock);

    public SysResult<Fd> TimerFdCreate() => Answer(KernelCalls.TimerFdCreate(), TraceCalls.ParseFd);

    public SysResult TimerFdSetTime(Fd fd, long dueNs) =>
        Answer(KernelCalls.TimerFdSetTime(fd, dueNs), TraceCalls.ParseSys);
}
