using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Linux.Interop;

namespace Tap.Linux;

public sealed partial class LinuxOsNet
{
    /// <summary>The data the helper sends with its fd: QEMU reads one byte (B6).</summary>
    private const int HelperMessageBytes = 1;

    /// <inheritdoc/>
    public ChildOutcome RunScript(string path, string ifname, Fd keepOpen)
    {
        var keep = _fds.Get(keepOpen);
        if (!keep.Ok)
        {
            return ChildOutcome.SpawnFailure(keep.Error);
        }
        long deadline = ChildProcess.DeadlineAfter(_options.ChildTimeout);
        var (pid, failed) = ChildProcess.Spawn(path, [path, ifname], keep.Value);
        return failed ?? ChildProcess.Wait(pid, deadline);
    }

    /// <inheritdoc/>
    public HelperOutcome RunBridgeHelper(HelperLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var pairError = Libc.SocketPair(out var ours, out var theirs);
        if (pairError != Errno.None)
        {
            ours.Dispose();
            theirs.Dispose();
            return new HelperOutcome(HelperReceive.SocketPairFailed, default, pairError, default);
        }

        long deadline = ChildProcess.DeadlineAfter(_options.ChildTimeout);
        int pid;
        ChildOutcome? failed;
        using (ours)
        {
            using (theirs)
            {
                // The child sees its end as fd 3 (dup2 in the child only; our copy stays close-on-exec).
                (pid, failed) = ChildProcess.Spawn(launch.Program, launch.Argv(ChildProcess.PassedFdNumber), theirs);
            }
            // Our copy of the child's end is closed now, so EOF arrives as soon as the helper exits.

            if (failed is { } notStarted)
            {
                // An exec failure is QEMU's "child exited 1 without sending": EOF. A spawn failure never ran.
                return notStarted.End == ChildEnd.ExecFailed
                    ? new HelperOutcome(HelperReceive.Eof, default, Errno.None, notStarted)
                    : new HelperOutcome(HelperReceive.Error, default, notStarted.Error, notStarted);
            }

            if (!ChildProcess.PollReadable(ours, deadline))
            {
                // The helper neither sent nor exited in time (D-14).
                return new HelperOutcome(HelperReceive.Error, default, Errno.ETIMEDOUT, ChildProcess.KillAndReap(pid));
            }

            var (receive, fd, error) = ReceiveFd(ours);
            var child = ChildProcess.Wait(pid, deadline);
            return new HelperOutcome(receive, fd, error, child);
        }
    }

    /// <summary>B6 done right (D-8): error, EOF, data without exactly one SCM_RIGHTS fd (every fd received is
    /// then closed), or the one fd, adopted close-on-exec.</summary>
    private (HelperReceive Receive, Fd Fd, Errno Error) ReceiveFd(FdHandle socket)
    {
        Span<byte> data = stackalloc byte[HelperMessageBytes];
        var received = new List<FdHandle>(1);
        var error = Libc.RecvWithFds(socket, data, received, out int bytes, out bool truncated);
        if (error != Errno.None)
        {
            return (HelperReceive.Error, default, error);
        }
        if (bytes == 0 && received.Count == 0)
        {
            return (HelperReceive.Eof, default, Errno.None);
        }
        if (received.Count != 1 || truncated)
        {
            foreach (var extra in received)
            {
                extra.Dispose();
            }
            return (HelperReceive.NoFd, default, Errno.None);
        }
        return (HelperReceive.Fd, _fds.Add(received[0]), Errno.None);
    }
}
