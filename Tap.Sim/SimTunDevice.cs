using Tap.Core.Abi;

namespace Tap.Sim;

/// <summary>A simulated tap interface: the per-device state of linux-tun.md §10.</summary>
public sealed class SimTunDevice
{
    internal SimTunDevice(string name, TunFlags flags)
    {
        Name = name;
        Flags = flags;
    }

    /// <summary>Interface name.</summary>
    public string Name { get; }

    /// <summary>
    /// TAP, NO_PI, ONE_QUEUE, VNET_HDR, MULTI_QUEUE: as created, or as the last attach that re-initialised the device.
    /// </summary>
    public TunFlags Flags { get; internal set; }

    public bool HasVnetHdr => (Flags & TunFlags.VnetHdr) != 0;
    public bool IsMultiQueue => (Flags & TunFlags.MultiQueue) != 0;

    /// <summary>TUNSETVNETHDRSZ value (default 10).</summary>
    public int VnetHdrSize { get; internal set; } = KernelLimits.VnetHdrBytes;

    /// <summary>TUNSETOFFLOAD value.</summary>
    public TunOffload Offload { get; internal set; }

    /// <summary>TUNSETVNETLE value.</summary>
    public bool VnetLe { get; internal set; }

    /// <summary>
    /// TUNSETVNETBE value (only where the kernel supports it, <see cref="SimKernel.VnetBeSupported"/>).
    /// </summary>
    public bool VnetBe { get; internal set; }

    /// <summary>A steering program is attached (the simulation has no BPF: only whether one is there).</summary>
    public bool HasSteeringProgram { get; set; }

    /// <summary>A TUNSETFILTEREBPF program is attached.</summary>
    public bool HasFilterProgram { get; set; }

    /// <summary>Addresses in the TX (MAC) filter; 0 lets every frame through.</summary>
    public int TxFilterAddresses { get; set; }

    /// <summary>A classic socket filter is attached, and re-attached to every queue that joins (linux-tun.md: a
    /// persistent device keeps it for its next user).</summary>
    public bool HasSocketFilter { get; set; }

    /// <summary>Administrative state; a new tap is down (writes fail with EIO).</summary>
    public bool Up { get; internal set; }

    /// <summary>Deleted under its users (<c>ip link del</c>): every call fails with EBADFD.</summary>
    public bool Deleted { get; internal set; }

    /// <summary>Survives its last fd.</summary>
    public bool Persistent { get; internal set; }

    /// <summary>Receive queue capacity per queue (txqueuelen; 1000 for a tap).</summary>
    public int TxQueueLen { get; set; } = 1000;

    /// <summary>Queues (attached and detached), in attach order.</summary>
    public List<SimTunQueue> Queues { get; } = new();

    /// <summary>Queues held by processes outside the simulation (they count for EBUSY and the 256 limit).</summary>
    public int ForeignQueues { get; internal set; }

    /// <summary>
    /// Frames the host sent that the device dropped (full ring, or no attached queue): the interface's TX dropped.
    /// </summary>
    public long HostDrops { get; internal set; }

    internal int NextQueueForHost;

    internal int QueueCount => Queues.Count + ForeignQueues;
}
