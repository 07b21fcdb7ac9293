using Tap.Core.Abi;

namespace Tap.Core.Os;

/// <summary>How a child process (network script or bridge helper) ended.</summary>
public enum ChildEnd
{
    /// <summary>Exited normally with <see cref="ChildOutcome.Code"/>.</summary>
    Exited,
    /// <summary>Killed by signal <see cref="ChildOutcome.Code"/>.</summary>
    Signaled,
    /// <summary>
    /// The program could not be started (no such file, not executable, no interpreter); QEMU's child then exits 1.
    /// </summary>
    ExecFailed,
    /// <summary>
    /// The process could not be created at all (fork/spawn failed with <see cref="ChildOutcome.Error"/>).
    /// </summary>
    SpawnFailed,
    /// <summary>
    /// Waiting for the child failed with <see cref="ChildOutcome.Error"/> (ECHILD when SIGCHLD is ignored, D-12).
    /// </summary>
    WaitFailed,
    /// <summary>The child did not finish in time and was killed (D-14).</summary>
    TimedOut,
}

/// <summary>The end of a child process, with what QEMU's messages need (the raw wait status).</summary>
public readonly record struct ChildOutcome(ChildEnd End, int Code, Errno Error)
{
    public static ChildOutcome Exit(int code) => new(ChildEnd.Exited, code, Errno.None);
    public static ChildOutcome Signal(int signal) => new(ChildEnd.Signaled, signal, Errno.None);
    public static ChildOutcome ExecFailure(Errno error) => new(ChildEnd.ExecFailed, 1, error);
    public static ChildOutcome SpawnFailure(Errno error) => new(ChildEnd.SpawnFailed, 0, error);
    public static ChildOutcome WaitFailure(Errno error) => new(ChildEnd.WaitFailed, 0, error);
    public static ChildOutcome Timeout() => new(ChildEnd.TimedOut, 0, Errno.ETIMEDOUT);

    /// <summary>True when the child exited with status 0: the only success.</summary>
    public bool Succeeded => End == ChildEnd.Exited && Code == 0;

    /// <summary>
    /// What <see cref="RawWaitStatus"/> means, in words (D-27): tapnet appends it to QEMU's message, in parentheses,
    /// so the text users grep for stays QEMU's and nobody has to decode 256 as exit code 1.
    /// </summary>
    public string Cause => End switch
    {
        ChildEnd.Exited => $"exit code {Code}",
        ChildEnd.Signaled => $"killed by signal {Code}",
        ChildEnd.ExecFailed => $"could not be run: {ErrnoText.Of(Error)}",
        ChildEnd.SpawnFailed => $"could not be started: {ErrnoText.Of(Error)}",
        ChildEnd.WaitFailed => $"could not wait for it: {ErrnoText.Of(Error)}",
        _ => "killed after the time limit",
    };

    /// <summary>
    /// The encoded waitpid status QEMU prints (S5): exit code k is 256*k, a signal s is s, and a failed exec is
    /// the child's <c>_exit(1)</c>, 256.
    /// </summary>
    public int RawWaitStatus => End switch
    {
        ChildEnd.Exited => Code << 8,
        ChildEnd.Signaled => Code,
        ChildEnd.ExecFailed => 1 << 8,
        _ => -1,
    };
}
