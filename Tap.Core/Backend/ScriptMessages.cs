using Tap.Core.Abi;
using Tap.Core.Os;

namespace Tap.Core.Backend;

/// <summary>
/// The messages of a failed network script (S2, S5) and of the cases QEMU cannot report (D-12, D-14).
/// </summary>
public static class ScriptMessages
{
    /// <summary>The error for a script that did not exit with status 0.</summary>
    public static string Failed(string path, ChildOutcome outcome) => outcome.End switch
    {
        ChildEnd.SpawnFailed => $"could not launch network script {path}: {ErrnoText.Of(outcome.Error)}",
        // QEMU spins forever here (S10); we say what happened instead.
        ChildEnd.WaitFailed => $"network script {path}: could not wait for it: {ErrnoText.Of(outcome.Error)}",
        ChildEnd.TimedOut => $"network script {path} did not finish in time and was killed",
        // QEMU's text with the raw wait status (256 for exit code 1), which users match on, then what it means (D-27).
        _ => $"network script {path} failed with status {outcome.RawWaitStatus} ({outcome.Cause})",
    };
}
