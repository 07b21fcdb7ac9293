using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;

namespace Tap.Sim.Scenarios;

/// <summary>
/// The system under test of a data-path run: the simulated kernel, the net layer, one tap with its queues and a
/// guest NIC on each. The workload drives it; the checkers read it. Nothing here judges.
/// </summary>
public sealed class DataPathRig
{
    /// <summary>The tap's interface name.</summary>
    public const string Ifname = "tap0";

    private readonly List<TapBackend> _taps = new();
    private readonly List<SimGuestPeer> _guests = new();

    /// <summary>A kernel seeded with <paramref name="seed"/> that injects <paramref name="setup"/>'s faults.</summary>
    public DataPathRig(ulong seed, DataPathSetup setup)
    {
        Setup = setup;
        Kernel = new SimKernel(seed, setup.Faults);
    }

    /// <summary>What the seed drew: the tap and the faults.</summary>
    public DataPathSetup Setup { get; }

    /// <summary>The simulated kernel (and its record).</summary>
    public SimKernel Kernel { get; }

    /// <summary>The net layer the tap and the guest NICs live in.</summary>
    public NetStack Stack { get; } = new();

    /// <summary>The tap's queues, in order.</summary>
    public IReadOnlyList<TapBackend> Taps => _taps;

    /// <summary>The guest NIC on each queue.</summary>
    public IReadOnlyList<SimGuestPeer> Guests => _guests;

    /// <summary>True once the guest took over the 12-byte header (R30).</summary>
    public bool Negotiated { get; set; }

    /// <summary>The kernel's device (null once it is gone).</summary>
    public SimTunDevice? Device => Kernel.Device(Ifname);

    /// <summary>The kernel's side of queue <paramref name="q"/>.</summary>
    public SimTunQueue KernelQueue(int q) => Kernel.Device(Ifname)!.Queues[q];

    /// <summary>
    /// Creates the tap as <c>-netdev tap</c> would and puts a guest NIC on every queue; null, or why not.
    /// </summary>
    public string? Build()
    {
        var options = new TapOptions
        {
            Id = "t0",
            Script = "no",
            Downscript = "no",
            VnetHdr = Setup.VnetHdr,
            Queues = Setup.Queues > 1 ? (uint)Setup.Queues : null,
            Sndbuf = Setup.SndBuf,
        };
        var r = TapInit.Run(Stack, Kernel, new NetdevEnvironment(), options);
        if (!r.Ok)
        {
            return r.Error;
        }
        Kernel.SetLinkUp(Ifname, true);
        Device!.TxQueueLen = Setup.TxQueueLen;
        for (int i = 0; i < r.Created.Count; i++)
        {
            var tap = (TapBackend)r.Created[i];
            _taps.Add(tap);
            _guests.Add(new SimGuestPeer(Stack, tap, $"nic{i}", Setup.Virtio));
        }
        return null;
    }
}
