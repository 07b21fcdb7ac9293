namespace Tap.Sim.Scenarios;

/// <summary>The tap a data-path run builds and the faults its kernel injects, drawn from the seed.</summary>
public sealed record DataPathSetup(
    int Queues, bool VnetHdr, bool Virtio, ulong? SndBuf, int TxQueueLen, FaultPlan Faults)
{
    /// <summary>A tap's ring as Linux makes it (txqueuelen 1000).</summary>
    public const int DefaultTxQueueLen = 1000;

    /// <summary>
    /// The hand-tuned draw: one or two queues, a send buffer or not, the usual ring, small fault rates.
    /// </summary>
    public static DataPathSetup Default(SimRandom r, IReadOnlyList<FaultSite> sites)
    {
        bool vnet = r.Chance(new Ratio(7, 10));
        bool virtio = r.Chance(new Ratio(1, 2));
        int queues = r.Chance(new Ratio(3, 10)) ? 2 : 1;
        ulong? sndbuf = r.Chance(new Ratio(1, 2)) ? (ulong)r.Next(200, 20000) : null;
        var plan = sites.Count > 0 && r.Chance(new Ratio(7, 10)) ? FaultPlan.FromSeed(r, sites) : FaultPlan.None;
        return new DataPathSetup(queues, vnet, virtio, sndbuf, DefaultTxQueueLen, plan);
    }

    /// <summary>
    /// A swarm draw: one to four queues, a send buffer from one frame to plenty, a ring from 4 frames (so the
    /// device drops) to Linux's 1000, and fault sites with rates from rare to storm (<see cref="FaultPlan.Swarm"/>).
    /// </summary>
    public static DataPathSetup Swarm(SimRandom r, IReadOnlyList<FaultSite> sites)
    {
        bool vnet = r.Chance(new Ratio(1, 2));
        bool virtio = r.Chance(new Ratio(1, 2));
        int queues = r.Next(1, 5);
        ulong? sndbuf = r.Next(3) switch
        {
            0 => null,
            1 => (ulong)r.Next(60, 2000),
            _ => (ulong)r.Next(2000, 100000),
        };
        int ring = r.Chance(new Ratio(1, 3)) ? r.Next(4, 64) : DefaultTxQueueLen;
        return new DataPathSetup(queues, vnet, virtio, sndbuf, ring, FaultPlan.Swarm(r, sites));
    }

    /// <summary>One line for the summary and the record.</summary>
    public override string ToString() =>
        $"queues={Queues} vnet_hdr={(VnetHdr ? "on" : "off")} peer={(Virtio ? "virtio" : "padding")} " +
        $"sndbuf={SndBuf?.ToString() ?? "unlimited"} ring={TxQueueLen} faults={Faults}";
}
