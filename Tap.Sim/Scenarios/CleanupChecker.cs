namespace Tap.Sim.Scenarios;

/// <summary>
/// Invariant family "cleanup" (R40, I1, Q14): no completion is left hanging; deleting the netdev closes every fd it
/// opened, leaves nothing watched, and nothing runs afterwards.
/// </summary>
public sealed class CleanupChecker(DataPathRig rig)
{
    /// <summary>Deletes everything and checks what is left.</summary>
    public void DeleteAndCheck()
    {
        for (int q = 0; q < rig.Guests.Count; q++)
        {
            Invariant.Require(
                rig.Guests[q].PendingSends == 0, "Q14",
                $"guest {q} still waits for {rig.Guests[q].PendingSends} completion(s)");
        }
        rig.Stack.DeleteAll();
        Invariant.Require(
            rig.Kernel.OpenFds.SequenceEqual(new[] { 0, 1, 2 }), "R40/I1",
            $"fds left open after cleanup: {string.Join(",", rig.Kernel.OpenFds)}");
        Invariant.Require(rig.Taps.All(t => !t.IsOpen), "I1", "a queue still has its fd");
        long lines = rig.Kernel.Record.Count;
        Invariant.Require(
            rig.Kernel.RunOnce() == 0 && rig.Kernel.Record.Count == lines, "R40", "something ran after cleanup");
    }
}
