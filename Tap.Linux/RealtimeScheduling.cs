using Tap.Core.Abi;
using Tap.Linux.Interop;

namespace Tap.Linux;

/// <summary>
/// SCHED_FIFO for the thread that runs the main loop. Measured on a 2-core machine: under a UDP flood the
/// forwarder spent a third of its time switched out on the way back from writev, preempted by the receiver its own
/// write had just woken; as a real-time thread it is not, and forwards 20-50% more packets. Scripts, helpers and
/// threads started later get the normal policy (SCHED_RESET_ON_FORK), and the kernel's real-time throttling
/// (95% by default) keeps the rest of the machine running even if the loop never slept.
/// </summary>
public static class RealtimeScheduling
{
    /// <summary>The lowest and highest SCHED_FIFO priorities.</summary>
    public const int MinPriority = 1, MaxPriority = 99;

    /// <summary>Makes the calling thread SCHED_FIFO at <paramref name="priority"/>; None or the errno.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A priority outside 1-99.</exception>
    public static Errno EnterFifo(int priority)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(priority, MinPriority);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(priority, MaxPriority);
        return Libc.SchedSetScheduler(Libc.SCHED_FIFO | Libc.SCHED_RESET_ON_FORK, priority);
    }
}
