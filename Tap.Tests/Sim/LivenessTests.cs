using Tap.Sim;
using Tap.Sim.Scenarios;

namespace Tap.Tests.Sim;

/// <summary>
/// Liveness (TigerBeetle's liveness mode): once the faults stop, every queue drains within a bound and read poll
/// comes back; a run that cannot drain is a violation that names what is stuck.
/// </summary>
public sealed class LivenessTests
{
    private static (DataPathRig LinuxHost, DeliveryChecker Delivery, LivenessChecker Liveness) LinuxHost(FaultPlan? faults = null)
    {
        var rig = new DataPathRig(5, new DataPathSetup(1, VnetHdr: false, Virtio: true, SndBuf: null, TxQueueLen: 1000, faults ?? FaultPlan.None));
        Assert.Null(rig.Build());
        var delivery = new DeliveryChecker(rig);
        var poll = new PollChecker(rig);
        return (rig, delivery, new LivenessChecker(rig, delivery, poll));
    }

    private static void HostSends(DataPathRig rig, DeliveryChecker delivery, int frames)
    {
        for (int i = 0; i < frames; i++)
        {
            var f = new byte[100];
            f[0] = (byte)i;
            f[1] = (byte)(i >> 8);
            delivery.HostSent(0, f, rig.Kernel.HostSend(DataPathRig.Ifname, f, 0));
        }
    }

    [Fact(DisplayName = "Liveness: 120 frames queued while the guest refused drain in at most ceil(120/50) + 2 = 5 iterations; faults stop")]
    public void DrainsWithinBound()
    {
        var (rig, delivery, liveness) = LinuxHost(new FaultPlan().With(FaultSite.ReadEintr, new Ratio(1, 1)));
        HostSends(rig, delivery, 120);
        rig.Guests[0].Refuse(0);
        rig.Kernel.RunOnce();   // every read fails with EINTR: nothing moves
        Assert.Equal(120, rig.KernelQueue(0).Pending);

        liveness.StopFaults();
        Assert.True(rig.Kernel.Faults.Stopped);
        Assert.Equal(5, liveness.IterationsMax);
        liveness.Drain();
        Assert.InRange(liveness.Iterations, 3, 5);
        Assert.Equal(0, rig.KernelQueue(0).Pending);
        Assert.True(rig.Taps[0].ReadPoll);
        Assert.Equal(120, delivery.Queue(0).HostDelivered);
    }

    [Fact(DisplayName = "Liveness: a VM that stays paused after the faults stop is a violation naming the stuck queues")]
    public void StuckIsNamed()
    {
        var (rig, delivery, liveness) = LinuxHost();
        HostSends(rig, delivery, 3);
        liveness.StopFaults();
        rig.Stack.StopVm();   // nothing the drain heals: the tap's send is queued at the guest, read poll goes off
        var v = Assert.Throws<InvariantViolation>(liveness.Drain);
        Assert.StartsWith("liveness: 3 main-loop iterations after the faults stopped, still stuck: ", v.Message, StringComparison.Ordinal);
        Assert.Contains("kernel ring tap0/q0 holds 2 frame(s)", v.Message, StringComparison.Ordinal);
        Assert.Contains("nic0 incoming queue holds 1 frame(s)", v.Message, StringComparison.Ordinal);
        Assert.Contains("queue 0 read poll is still off", v.Message, StringComparison.Ordinal);
    }

    [Theory(DisplayName = "Liveness: every run drains within its bound once the faults stop, read poll back on every queue")]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryRunDrains(bool swarm)
    {
        foreach (var seed in SimSeeds.Choose(25))
        {
            var r = DataPathScenario.Run(seed, new ScenarioOptions { Steps = 800, Swarm = swarm, KeepRecord = false });
            Assert.True(r.Ok, SimSeeds.Failure(r, "LivenessTests"));
            Assert.InRange(r.DrainIterations, 1, r.DrainIterationsMax);
            Assert.Equal(0, r.HostToGuest.InFlightTotal + r.GuestToHost.InFlightTotal);
        }
    }
}
