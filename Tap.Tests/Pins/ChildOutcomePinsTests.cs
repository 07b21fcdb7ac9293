using Tap.Core.Abi;
using Tap.Core.Os;

namespace Tap.Tests.Pins;

/// <summary>
/// D-27 texts of a child's end and S5 raw statuses, pinned on the public values: the script and helper messages
/// handle spawn, wait and time-out failures before they reach these, so no user path shows the last branches.
/// </summary>
public sealed class ChildOutcomePinsTests
{
    [Fact(DisplayName = "D-27: the cause of each child end reads as documented, errno text included")]
    public void CauseTexts()
    {
        Assert.Equal("exit code 3", ChildOutcome.Exit(3).Cause);
        Assert.Equal("killed by signal 9", ChildOutcome.Signal(9).Cause);
        Assert.Equal("could not be run: No such file or directory", ChildOutcome.ExecFailure(Errno.ENOENT).Cause);
        Assert.Equal("could not be started: Resource temporarily unavailable",
            ChildOutcome.SpawnFailure(Errno.EAGAIN).Cause);
        Assert.Equal("could not wait for it: No child processes", ChildOutcome.WaitFailure(Errno.ECHILD).Cause);
        Assert.Equal("killed after the time limit", ChildOutcome.Timeout().Cause);
    }

    [Fact(DisplayName = "S5: raw wait status is 256*k for exit k, s for signal s, 256 for a failed exec, -1 otherwise")]
    public void RawWaitStatuses()
    {
        Assert.Equal(768, ChildOutcome.Exit(3).RawWaitStatus);
        Assert.Equal(9, ChildOutcome.Signal(9).RawWaitStatus);
        Assert.Equal(256, ChildOutcome.ExecFailure(Errno.ENOENT).RawWaitStatus);
        Assert.Equal(-1, ChildOutcome.SpawnFailure(Errno.EAGAIN).RawWaitStatus);
        Assert.Equal(-1, ChildOutcome.WaitFailure(Errno.ECHILD).RawWaitStatus);
        Assert.Equal(-1, ChildOutcome.Timeout().RawWaitStatus);
    }

    [Fact(DisplayName = "docs/kernel.md: a warning prints as '<program>: warning: <message>', an error without it")]
    public void DiagnosticPrefixes()
    {
        Assert.Equal("tapnet: warning: w", new Diagnostic(DiagnosticKind.Warning, "w").Format("tapnet"));
        Assert.Equal("tapnet: e", new Diagnostic(DiagnosticKind.Error, "e").Format("tapnet"));
        Assert.Equal("r", new Diagnostic(DiagnosticKind.Raw, "r").Format("tapnet"));
    }
}
