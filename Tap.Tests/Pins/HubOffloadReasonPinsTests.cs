using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Sim;

namespace Tap.Tests.Pins;

/// <summary>GSO hubs (docs/differences.md#gso-hubs): the decision's reason, as a user reading it sees it.</summary>
public sealed class HubOffloadReasonPinsTests
{
    private static (SimKernel K, NetStack Stack) Hub(params bool[] vnet)
    {
        var k = new SimKernel(17);
        var stack = new NetStack();
        for (int i = 0; i < vnet.Length; i++)
        {
            var r = TapInit.Run(stack, k, new NetdevEnvironment(),
                new TapOptions
                {
                    Id = $"t{i}", Ifname = $"gr{i}", Script = "no", Downscript = "no", VnetHdr = vnet[i],
                });
            Assert.Null(r.Error);
            Assert.True(HubPortInit.Run(stack, new HubPortOptions { Id = $"h{i}", HubId = 3, Netdev = $"t{i}" }).Ok);
        }
        return (k, stack);
    }

    [Fact(DisplayName = "GSO hubs: a tap with vnet_hdr=off is named as the port without a vnet header of its own")]
    public void TapWithoutHeaderNamed()
    {
        var (k, stack) = Hub(true, false);
        var d = Assert.Single(HubOffloadPlanner.Apply(stack));
        Assert.Equal(
            new HubOffloadPlanner.Decision(3, false, TunOffload.None, "netdev t1 has no vnet header of its own"), d);
        Assert.Equal(TunOffload.None, k.Device("gr0")!.Offload);
    }

    [Fact(DisplayName = "GSO hubs: an enabled hub says why: every port is a tap with a vnet header")]
    public void EnabledReason()
    {
        var (_, stack) = Hub(true, true);
        var d = Assert.Single(HubOffloadPlanner.Apply(stack));
        Assert.Equal("every port is a tap with a vnet header", d.Reason);
        Assert.True(d.Enabled);
        Assert.Equal(3, d.HubId);
    }
}
