using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Sim;

namespace Tap.Tests.Core;

/// <summary>The hub offload plan (docs/differences.md#gso-hubs) when a later tap refuses the header length.</summary>
public sealed class HubOffloadRefusalTests
{
    [Fact(DisplayName = "GSO hubs: when the third tap refuses the header, the first two give it back and a frame crosses with one header, not two")]
    public void RefusalGivesTheHeaderBack()
    {
        var k = new SimKernel(13);
        var stack = new NetStack();
        var taps = new List<TapBackend>();
        for (int i = 0; i < 3; i++)
        {
            var r = TapInit.Run(stack, k, new NetdevEnvironment(), new TapOptions { Id = $"t{i}", Ifname = $"hr{i}", Script = "no", Downscript = "no" });
            Assert.Null(r.Error);
            taps.Add((TapBackend)r.Created[0]);
            Assert.True(HubPortInit.Run(stack, new HubPortOptions { Id = $"h{i}", HubId = 0, Netdev = $"t{i}" }).Ok);
            k.SetLinkUp($"hr{i}", true);
        }
        // The planner goes through the ports newest first: the oldest tap refuses last, after the others switched.
        k.Device("hr0")!.Deleted = true; // TUNSETVNETHDRSZ on it is EBADFD now

        var d = Assert.Single(HubOffloadPlanner.Apply(stack));

        Assert.Equal("netdev t0 refused the header length", d.Reason);
        Assert.False(d.Enabled);
        Assert.False(taps[1].UsingVnetHdr);
        Assert.False(taps[2].UsingVnetHdr);
        var frame = new byte[100];
        frame[0] = 0x02;
        frame[12] = 0x08;
        Assert.True(k.HostSend("hr2", frame, vnetHeader: new byte[10]));
        k.RunOnce();
        var got = Assert.Single(k.HostReceive("hr1"));
        // What the host of hr1 reads: one 10-byte header, then the frame (docs/kernel.md: the device has IFF_VNET_HDR).
        Assert.Equal(10 + frame.Length, got.Length);
        Assert.Equal(frame, got[10..]);
    }
}
