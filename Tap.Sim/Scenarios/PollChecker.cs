using Tap.Core.Backend;

namespace Tap.Sim.Scenarios;

/// <summary>
/// Invariant family "poll state" (tap-backend.md I2, I6, I7, R1, R21, R22, R24): the kernel watch matches what the
/// backend wants; read poll is off exactly while a frame waits at the peer, and never more than one waits; a
/// readable callback forwards at most 50 frames.
/// </summary>
public sealed class PollChecker(DataPathRig rig)
{
    /// <summary>
    /// The most frames one readable callback may forward (R22: QEMU's fairness limit, a literal of the spec).
    /// </summary>
    private const int FramesPerWakeupMax = SpecNumbers.FramesPerWakeupMax;

    private long[] _readBefore = [];

    /// <summary>Call before a main-loop iteration.</summary>
    public void BeforeLoop()
    {
        if (_readBefore.Length != rig.Taps.Count)
        {
            _readBefore = new long[rig.Taps.Count];
        }
        for (int i = 0; i < rig.Taps.Count; i++)
        {
            _readBefore[i] = rig.Taps[i].FramesRead;
        }
    }

    /// <summary>I6/R22 after a main-loop iteration.</summary>
    public void AfterLoop()
    {
        for (int i = 0; i < rig.Taps.Count; i++)
        {
            long read = rig.Taps[i].FramesRead - _readBefore[i];
            Invariant.Require(read <= FramesPerWakeupMax, "I6/R22", $"queue {i} read {read} frames in one iteration");
        }
    }

    /// <summary>I2, I7 after every step.</summary>
    public void Check()
    {
        for (int i = 0; i < rig.Taps.Count; i++)
        {
            TapBackend t = rig.Taps[i];
            var (r, w) = rig.Kernel.InterestOf(t.Fd);
            Invariant.Require((r, w) == (t.ReadPoll && t.Enabled, t.WritePoll && t.Enabled), "I2/R1",
                $"queue {i} watch (r={r}, w={w}) but read_poll={t.ReadPoll} write_poll={t.WritePoll} " +
                $"enabled={t.Enabled}");
            int waiting = rig.Guests[i].IncomingQueue.Count;
            Invariant.Require(waiting <= 1, "I7", $"queue {i} has {waiting} packets waiting at its peer");
            Invariant.Require(t.ReadPoll == (waiting == 0), "I7/R21/R24",
                $"queue {i} read_poll={t.ReadPoll} with {waiting} packet(s) waiting at its peer");
        }
    }
}
