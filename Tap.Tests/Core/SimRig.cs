using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Sim;

namespace Tap.Tests.Core;

/// <summary>A simulated kernel with one tap created the way <c>-netdev tap,id=t0,script=no,downscript=no</c> does.</summary>
internal sealed class SimRig
{
    public SimRig(ulong seed = 7, bool vnetHdr = true, uint? queues = null, ulong? sndbuf = null, bool up = true)
    {
        Kernel = new SimKernel(seed);
        var r = TapInit.Run(Stack, Kernel, new NetdevEnvironment(),
            new TapOptions { Id = "t0", Script = "no", Downscript = "no", VnetHdr = vnetHdr, Queues = queues, Sndbuf = sndbuf });
        Assert.Null(r.Error);
        Taps = r.Created.Cast<TapBackend>().ToList();
        if (up)
        {
            Kernel.SetLinkUp("tap0", true);
        }
    }

    public SimKernel Kernel { get; }
    public NetStack Stack { get; } = new();
    public List<TapBackend> Taps { get; }
    public TapBackend Tap => Taps[0];
    public SimTunDevice Device => Kernel.Device("tap0")!;

    public SimGuestPeer Peer(bool virtio = false, int queue = 0) => new(Stack, Taps[queue], $"nic{queue}", virtio);

    public static byte[] Frame(int length, byte fill = 0x5a)
    {
        var f = new byte[length];
        Array.Fill(f, fill);
        return f;
    }
}
