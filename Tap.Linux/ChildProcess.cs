using System.Collections;
using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Linux.Interop;
using Tmds.Linux;

namespace Tap.Linux;

/// <summary>
/// Starting and reaping one child with <c>posix_spawn</c> (D-29: never fork the multithreaded runtime; argv and
/// envp are built before the call, the child only dup2s, closes and execs) and waiting for exactly that pid with
/// a deadline (D-12, D-14). The process signal mask is never touched (D-11).
/// </summary>
internal static class ChildProcess
{
    /// <summary>The fd number a child sees for the one fd we pass it. Everything above is closed in the child,
    /// so it keeps 0, 1, 2 and this one only (S3, B5).</summary>
    public const int PassedFdNumber = 3;

    /// <summary>
    /// Sleep between WNOHANG probes when pidfd_open is unavailable (pre-5.3 kernels, glibc before 2.36).
    /// </summary>
    private const int WaitPollIntervalMs = 10;

    /// <summary>Spawns <paramref name="path"/> with <paramref name="argv"/> and our environment, passing
    /// <paramref name="passFd"/> as fd <see cref="PassedFdNumber"/>. Returns the pid, or the outcome when it
    /// could not start (exec errors come back synchronously through glibc's CLONE_VFORK spawn).</summary>
    public static (int Pid, ChildOutcome? Failed) Spawn(string path, IReadOnlyList<string> argv, FdHandle? passFd)
    {
        Errno error;
        int pid;
        try
        {
            error = Libc.Spawn(path, argv, EnvironmentBlock(), passFd, PassedFdNumber, out pid);
        }
        catch (EntryPointNotFoundException)
        {
            // glibc older than 2.34 lacks posix_spawn_file_actions_addclosefrom_np.
            return (0, ChildOutcome.SpawnFailure(Errno.ENOSYS));
        }
        if (error != Errno.None)
        {
            return (0, IsExecError(error) ? ChildOutcome.ExecFailure(error) : ChildOutcome.SpawnFailure(error));
        }
        return (pid, null);
    }

    /// <summary>
    /// Waits for <paramref name="pid"/> until <paramref name="deadlineMs"/> (<see cref="Environment.TickCount64"/>
    /// units). EINTR is retried; ECHILD (the child was reaped elsewhere, e.g. SIGCHLD ignored) ends the wait with
    /// <see cref="ChildEnd.WaitFailed"/> instead of spinning (D-12). At the deadline the child is killed with
    /// SIGKILL and reaped (D-14).
    /// </summary>
    public static ChildOutcome Wait(int pid, long deadlineMs)
    {
        int got = Libc.WaitPid(pid, Libc.WNOHANG, out int status, out var error);
        if (got < 0)
        {
            return ChildOutcome.WaitFailure(error);
        }
        if (got == pid)
        {
            return Decode(status);
        }

        if (Libc.PidFdOpen(pid, out var pidFd) != Errno.None)
        {
            pidFd.Dispose();
            return WaitByPolling(pid, deadlineMs);
        }
        using (pidFd)
        {
            if (!PollReadable(pidFd, deadlineMs))
            {
                return KillAndReap(pid);
            }
        }

        got = Libc.WaitPid(pid, 0, out status, out error);
        return got < 0 ? ChildOutcome.WaitFailure(error) : Decode(status);
    }

    /// <summary>Kills <paramref name="pid"/> (still our unreaped child, so the pid cannot have been reused) and
    /// reaps it.</summary>
    public static ChildOutcome KillAndReap(int pid)
    {
        _ = Libc.Kill(pid, LibC.SIGKILL);
        _ = Libc.WaitPid(pid, 0, out _, out _);
        return ChildOutcome.Timeout();
    }

    /// <summary>Waits until <paramref name="fd"/> is readable (or in error) or the deadline passes; EINTR retried
    /// with the time left. False only on timeout.</summary>
    public static bool PollReadable(FdHandle fd, long deadlineMs)
    {
        while (true)
        {
            long left = Math.Max(0, deadlineMs - Environment.TickCount64);
            var error = Libc.PollIn(fd, (int)Math.Min(left, int.MaxValue), out int ready);
            if (error == Errno.None)
            {
                return ready > 0;
            }
            if (error != Errno.EINTR)
            {
                // poll itself failed (ENOMEM): the caller's next call reports what is really wrong.
                return true;
            }
        }
    }

    /// <summary>
    /// A deadline <paramref name="timeout"/> from now, in <see cref="Environment.TickCount64"/> units.
    /// </summary>
    public static long DeadlineAfter(TimeSpan timeout) =>
        Environment.TickCount64 + (long)Math.Min(timeout.TotalMilliseconds, int.MaxValue);

    private static ChildOutcome WaitByPolling(int pid, long deadlineMs)
    {
        while (true)
        {
            int got = Libc.WaitPid(pid, Libc.WNOHANG, out int status, out var error);
            if (got < 0)
            {
                return ChildOutcome.WaitFailure(error);
            }
            if (got == pid)
            {
                return Decode(status);
            }
            if (Environment.TickCount64 >= deadlineMs)
            {
                return KillAndReap(pid);
            }
            Thread.Sleep(WaitPollIntervalMs);
        }
    }

    /// <summary>WIFEXITED/WEXITSTATUS, else WTERMSIG (no WUNTRACED, so stopped children are not reported).</summary>
    internal static ChildOutcome Decode(int status)
    {
        int low = status & 0x7f;
        return low == 0 ? ChildOutcome.Exit((status >> 8) & 0xff) : ChildOutcome.Signal(low);
    }

    /// <summary>errno values that come from <c>execve</c> (the program could not be run: QEMU's forked child would
    /// have exited 1). Anything else (EAGAIN, ENOMEM from clone) means the process was never created.</summary>
    internal static bool IsExecError(Errno error) => error is Errno.ENOENT or Errno.EACCES or Errno.ENOEXEC
        or Errno.EPERM or Errno.E2BIG or (Errno)20 /* ENOTDIR */ or (Errno)21 /* EISDIR */ or (Errno)26 /* ETXTBSY */
        or (Errno)36 /* ENAMETOOLONG */ or (Errno)40 /* ELOOP */ or (Errno)80 /* ELIBBAD */;

    private static List<string> EnvironmentBlock()
    {
        // The managed view, which includes Environment.SetEnvironmentVariable changes (the native environ does
        // not), as Process.Start would pass it. Sorted so children see a stable order.
        var list = new List<string>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            list.Add($"{entry.Key}={entry.Value}");
        }
        list.Sort(StringComparer.Ordinal);
        return list;
    }
}
