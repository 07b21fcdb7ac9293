using Tap.Core.Abi;
using Tap.Linux.Interop;

namespace Tap.Linux;

/// <summary>
/// Gives the loop's thread an fd table of its own for the run (unshare(CLONE_FILES)). While a process's threads share
/// one table, the kernel takes and drops a reference on the file in every read and write, since another thread could
/// close the fd during the call (fdget's slow path: about 40 ns a call here, with two calls a frame); every .NET
/// process has such threads (the finalizer, the signal thread, the diagnostics server), asleep. With a table of its
/// own the loop's calls take the single-user path, as a one-thread C program's do (README, Performance).
/// <para>
/// The new table starts as a copy of the shared one. The copies of the netdevs' fds left in the shared table are
/// closed there at once, by a short-lived thread that still uses it, so that the loop's close stays the last one: a
/// tap it closes goes away, a connection it closes is seen closed. What other threads use stays in both tables: stdio,
/// the wake eventfd a signal handler writes to, the trace file, the metrics listener's sockets.
/// </para>
/// <para>
/// From then on the loop's thread must be the one that opens and closes the netdevs' fds (every IOsNet call already
/// runs on it), and must start no thread: a thread it starts shares its table, and the fast path is lost.
/// </para>
/// </summary>
internal static class OwnFdTable
{
    /// <summary>
    /// Makes the calling thread's table its own and closes <paramref name="loopOnly"/> in the table the other threads
    /// keep. On failure (a seccomp filter, say) nothing changed and the loop runs on the shared table, only slower.
    /// </summary>
    public static Errno Take(IReadOnlyList<int> loopOnly)
    {
        using var unshared = new ManualResetEventSlim();
        var result = Errno.None;
        // Started before the unshare, so it keeps the shared table: its close(2)s act there.
        var closer = new Thread(() =>
        {
            unshared.Wait();
            if (result == Errno.None)
            {
                foreach (int number in loopOnly)
                {
                    _ = Libc.Close(number);
                }
            }
        })
        { IsBackground = true, Name = "tapnet: shared fd table" };
        closer.Start();
        result = Libc.UnshareFiles();
        unshared.Set();
        closer.Join();
        return result;
    }
}
