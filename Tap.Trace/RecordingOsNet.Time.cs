using Tap.Core.Os;

namespace Tap.Trace;

public sealed partial class RecordingOsNet
{
    public long ClockMonotonicNs() => Rec(KernelCalls.ClockMonotonic(), inner.ClockMonotonicNs(), KernelCalls.Result);

    public SysResult<Fd> TimerFdCreate() => Rec(KernelCalls.TimerFdCreate(), inner.TimerFdCreate(), KernelCalls.Result);

    public SysResult TimerFdSetTime(Fd fd, long dueNs) =>
        Rec(KernelCalls.TimerFdSetTime(fd, dueNs), inner.TimerFdSetTime(fd, dueNs), KernelCalls.Result);
}
