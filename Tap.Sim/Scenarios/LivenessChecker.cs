using System.Text;

namespace Tap.Sim.Scenarios;

/// <summary>
/// Invariant family "liveness" (TigerBeetle's liveness mode): once the faults stop, the guest accepts everything,
/// every queue is attached, the link is up, the VM runs and the host keeps taking what is written, then within a
/// bounded number of main-loop iterations every queued frame is delivered or counted, every queue is empty, no
/// completion is outstanding, and read poll is back on every queue. A violation names what is stuck.
/// </summary>
public sealed class LivenessChecker(DataPathRig rig, DeliveryChecker delivery, PollChecker poll)
{
    /// <summary>
    /// Iterations beyond the computed bound: one for the write watch that finds the queue empty and turns itself off,
    /// one that dispatches nothing and so shows the loop is quiet.
    /// </summary>
    public const int SlackIterations = 2;

    /// <summary>
    /// Frames one readable callback forwards (R22: a literal of the spec, not the product's constant).
    /// </summary>
    private const int FramesPerWakeup = SpecNumbers.FramesPerWakeupMax;

    /// <summary>The bound computed when the faults stopped.</summary>
    public int IterationsMax { get; private set; }

    /// <summary>Iterations the drain took.</summary>
    public int Iterations { get; private set; }

    /// <summary>
    /// Stops the faults and heals everything the workload broke, then sets the bound: per queue, one iteration per
    /// 50 frames in the kernel ring (a readable callback forwards 50 to a guest that accepts everything) plus one
    /// per frame waiting at the tap (a writable callback writes at least one when the host has taken everything),
    /// the largest over the queues (they are served in the same iteration), plus <see cref="SlackIterations"/>.
    /// </summary>
    public void StopFaults()
    {
        rig.Kernel.Faults.Stop();
        if (!rig.Stack.VmRunning)
        {
            rig.Stack.StartVm();
        }
        if (!rig.Device!.Up)
        {
            rig.Kernel.SetLinkUp(DataPathRig.Ifname, true);
        }
        for (int q = 0; q < rig.Taps.Count; q++)
        {
            rig.Guests[q].Open();
            if (!rig.Taps[q].Enabled)
            {
                Invariant.Require(rig.Taps[q].Enable() == 0, "R26",
                    $"queue {q} could not be attached once faults stopped");
            }
        }
        int bound = 0;
        for (int q = 0; q < rig.Taps.Count; q++)
        {
            int ring = rig.KernelQueue(q).Pending;
            int waiting = rig.Taps[q].IncomingQueue.Count;
            bound = Math.Max(bound, (ring + FramesPerWakeup - 1) / FramesPerWakeup + waiting);
        }
        IterationsMax = bound + SlackIterations;
        rig.Kernel.Record.Add($"faults stop; drain within {IterationsMax} iterations");
    }

    /// <summary>Runs the drain; throws, naming what is stuck, when the bound passes first.</summary>
    public void Drain()
    {
        for (Iterations = 1; Iterations <= IterationsMax; Iterations++)
        {
            for (int q = 0; q < rig.Taps.Count; q++)
            {
                delivery.HostDrain(q);
            }
            poll.BeforeLoop();
            int calls = rig.Kernel.RunOnce();
            poll.AfterLoop();
            for (int q = 0; q < rig.Taps.Count; q++)
            {
                delivery.CheckGuestReceived(q);
            }
            poll.Check();
            if (calls == 0 && Stuck() is null)
            {
                rig.Kernel.Record.Add($"drained in {Iterations} iterations");
                return;
            }
        }
        Iterations = IterationsMax;
        throw new InvariantViolation(
            $"liveness: {IterationsMax} main-loop iterations after the faults stopped, still stuck: " +
            $"{Stuck() ?? "the loop still dispatches with nothing left to move"}");
    }

    /// <summary>What still holds a frame or waits, or null when everything drained.</summary>
    private string? Stuck()
    {
        var sb = new StringBuilder();
        for (int q = 0; q < rig.Taps.Count; q++)
        {
            var t = rig.Taps[q];
            var kq = rig.KernelQueue(q);
            var g = rig.Guests[q];
            var (r, w) = rig.Kernel.InterestOf(t.Fd);
            string watch = $"(read_poll={t.ReadPoll} write_poll={t.WritePoll} watch r={r} w={w})";
            Note(sb, kq.Pending, $"kernel ring {DataPathRig.Ifname}/q{q} holds {kq.Pending} frame(s) {watch}");
            Note(sb, g.IncomingQueue.Count, $"nic{q} incoming queue holds {g.IncomingQueue.Count} frame(s)");
            Note(sb, t.IncomingQueue.Count, $"tap q{q} incoming queue holds {t.IncomingQueue.Count} frame(s) {watch}");
            Note(sb, kq.Transmitted.Count,
                $"{kq.Transmitted.Count} write(s) on {DataPathRig.Ifname}/q{q} not taken by the host");
            Note(sb, g.PendingSends, $"nic{q} waits for {g.PendingSends} completion(s)");
            Note(sb, t.ReadPoll ? 0 : 1, $"queue {q} read poll is still off {watch}");
            Note(sb, t.WritePoll ? 1 : 0, $"queue {q} write poll is still on with nothing to write {watch}");
        }
        return sb.Length == 0 ? null : sb.ToString();
    }

    private static void Note(StringBuilder sb, long n, string what)
    {
        if (n != 0)
        {
            sb.Append(sb.Length == 0 ? "" : "; ").Append(what);
        }
    }
}
