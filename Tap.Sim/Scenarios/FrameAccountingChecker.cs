using Tap.Core.Net;

namespace Tap.Sim.Scenarios;

/// <summary>
/// Invariant family "no silent drop" (D-15, D-18, Q11, Q18): on every queue, in both directions, every frame sent
/// is delivered, dropped and counted by whoever dropped it, or still held by a queue we can name. The scenario's
/// own count (<see cref="QueueLedger"/>) of what left without arriving must equal the product's count of drops
/// plus what its queues still hold. Also: the device's drop counter matches the refusals the host saw, and the
/// guest's "rejected" matches the tap's write errors (the net layer counts at the sender what the receiver failed).
/// </summary>
public sealed class FrameAccountingChecker(DataPathRig rig, DeliveryChecker delivery)
{
    /// <summary>
    /// Both directions' accounts as they stand, unchecked (for a summary after a violation elsewhere).
    /// </summary>
    public (FrameAccount HostToGuest, FrameAccount GuestToHost) Measure()
    {
        var toGuest = new FrameAccount("host->guest");
        var toHost = new FrameAccount("guest->host");
        for (int q = 0; q < rig.Taps.Count && q < rig.Device?.Queues.Count; q++)
        {
            toGuest.Merge(HostToGuest(q));
            toHost.Merge(GuestToHost(q));
        }
        return (toGuest, toHost);
    }

    /// <summary>Builds both directions' accounts, checks them queue by queue and returns the totals.</summary>
    public (FrameAccount HostToGuest, FrameAccount GuestToHost) Check(string when)
    {
        long refused = 0;
        for (int q = 0; q < rig.Taps.Count; q++)
        {
            delivery.CheckGuestReceived(q);
            var h = HostToGuest(q);
            var g = GuestToHost(q);
            Invariant.Require(h.Unaccounted == 0, "no silent drop", $"{when}: queue {q} {h.Direction}: {h}");
            Invariant.Require(g.Unaccounted == 0, "no silent drop", $"{when}: queue {q} {g.Direction}: {g}");
            long rejected = rig.Guests[q].Counters.Drops(DropReason.Rejected);
            long writeErrors = rig.Taps[q].Counters.Drops(DropReason.WriteError);
            Invariant.Require(rejected == writeErrors, "D-15",
                $"{when}: queue {q}: guest counted {rejected} rejected, tap {writeErrors} write errors");
            refused += delivery.Queue(q).HostRefusedByDevice;
        }
        long deviceDrops = rig.Device!.HostDrops;
        Invariant.Require(refused == deviceDrops, "no silent drop",
            $"{when}: the host saw {refused} frames refused, the device counted {deviceDrops}");
        return Measure();
    }

    private FrameAccount HostToGuest(int q)
    {
        var kq = rig.KernelQueue(q);
        var a = new FrameAccount("host->guest");
        a.AddSent(delivery.Queue(q).HostOffered, delivery.Queue(q).HostDelivered);
        a.AddDropped("device: ring full or queue detached", delivery.Queue(q).HostRefusedByDevice);
        a.AddDropped("kernel: purged by detach or close", kq.Purged);
        a.AddCounted("tap", rig.Taps[q].Counters, otherDirection: DropReason.WriteError);
        a.AddInFlight($"kernel ring {DataPathRig.Ifname}/q{q}", kq.Pending);
        a.AddInFlight($"nic{q} incoming queue", rig.Guests[q].IncomingQueue.Count);
        return a;
    }

    private FrameAccount GuestToHost(int q)
    {
        var a = new FrameAccount("guest->host");
        a.AddSent(delivery.Queue(q).GuestSent, delivery.Queue(q).GuestDelivered);
        a.AddCounted("guest", rig.Guests[q].Counters);
        a.AddInFlight($"tap q{q} incoming queue", rig.Taps[q].IncomingQueue.Count);
        a.AddInFlight($"kernel {DataPathRig.Ifname}/q{q} written, not taken by the host",
            rig.KernelQueue(q).Transmitted.Count);
        return a;
    }
}
