using System.Runtime.InteropServices;
using Tap.Core.Os;

namespace Tap.Linux;

/// <summary>
/// The real-host main loop LinuxOsNet's <see cref="IOsNet.Watch"/> goes to: <see cref="EpollLoop"/> (readiness,
/// then one read or writev per frame) or <see cref="UringLoop"/> (io_uring: the reads and writes of many frames
/// per system call). Both call the handlers level-triggered, readable first, on the thread that runs them.
/// </summary>
public interface IMainLoop : IDisposable
{
    /// <summary>The signal that stopped the last <see cref="Run(CancellationToken)"/>, if one did.</summary>
    PosixSignal? StopSignal { get; }

    /// <summary>How many fds are watched (tests).</summary>
    int WatchedCount { get; }

    /// <summary>Sets the interest in <paramref name="fd"/>: adds, modifies, or with neither flag removes it.</summary>
    void Watch(FdHandle fd, IFdHandler handler, bool readable, bool writable);

    /// <summary>Drops any interest in fd number <paramref name="fdNumber"/>.</summary>
    void Forget(int fdNumber);

    /// <summary>As <see cref="Forget"/>, and lets go of the file for good: called when the fd is closed (or handed
    /// to the vhost worker), so nothing of the loop's reads or writes on it stays pending.</summary>
    void Release(int fdNumber);

    /// <summary>Waits up to <paramref name="timeoutMs"/> (-1: forever) and calls the handlers; returns the number
    /// of handler calls.</summary>
    int RunOnce(int timeoutMs);

    /// <summary>Runs iterations until <see cref="RequestStop"/>, a termination signal, or
    /// <paramref name="cancel"/>.</summary>
    void Run(CancellationToken cancel = default);

    /// <summary>As <see cref="Run(CancellationToken)"/>, calling <paramref name="tick"/> every
    /// <paramref name="interval"/> on the loop's thread.</summary>
    void Run(Action tick, TimeSpan interval);

    /// <summary>Makes Run return after the current iteration; safe from any thread.</summary>
    void RequestStop();

    /// <summary>Stops Run cleanly on SIGINT, SIGTERM and SIGHUP; undone by Dispose.</summary>
    void StopOnTerminationSignals();
}
