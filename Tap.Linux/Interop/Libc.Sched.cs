using System.Runtime.InteropServices;
using Tap.Core.Abi;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    /// <summary>sched.h: first-in first-out real-time policy.</summary>
    internal const int SCHED_FIFO = 1;

    /// <summary>sched.h: children (processes and threads) start at the normal policy, not the real-time one.</summary>
    internal const int SCHED_RESET_ON_FORK = 0x40000000;

    [StructLayout(LayoutKind.Sequential)]
    private struct SchedParam
    {
        public int Priority;
    }

    [LibraryImport(Name, EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SchedSetSchedulerRaw(int pid, int policy, ref SchedParam param);

    /// <summary>Puts the calling thread (pid 0) under <paramref name="policy"/> at <paramref name="priority"/>.</summary>
    internal static Errno SchedSetScheduler(int policy, int priority)
    {
        var param = new SchedParam { Priority = priority };
        return SchedSetSchedulerRaw(0, policy, ref param) == 0 ? Errno.None : LastErrno();
    }
}
