using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Sim;

namespace Tap.Tests.Pins;

/// <summary>Issue 6's planner: every refusal says which port and why, and leaves the kernel's offloads off.</summary>
public sealed class HubOffloadPinsTests
{
    private static (SimKernel K, NetStack Stack) TwoVnetTaps()
    {
        var k = new SimKernel(11);
        var stack = new NetStack();
        for (int i = 0; i < 2; i++)
        {
            Assert.Null(TapInit.Run(stack, k, new NetdevEnvironment(), new TapOptions { Id = $"t{i}", Ifname = $"gt{i}", Script = "no", Downscript = "no" }).Error);
            Assert.True(HubPortInit.Run(stack, new HubPortOptions { Id = $"h{i}", HubId = 0, Netdev = $"t{i}" }).Ok);
        }
        return (k, stack);
    }

    [Fact(DisplayName = "Issue 6: a hub with one port is not enabled and gets no offloads")]
    public void LonePort()
    {
        var stack = new NetStack();
        stack.GetOrCreateHub(9).AddPort(null, null);
        Assert.Equal(new HubOffloadPlanner.Decision(9, false, TunOffload.None, "fewer than two ports"), Assert.Single(HubOffloadPlanner.Apply(stack)));
    }

    [Fact(DisplayName = "Issue 6: a port that is not a tap is named in the decision")]
    public void NotATapNamed()
    {
        var (k, stack) = TwoVnetTaps();
        var port = stack.GetOrCreateHub(0).AddPort("spare", null);
        var d = Assert.Single(HubOffloadPlanner.Apply(stack));
        Assert.Equal(new HubOffloadPlanner.Decision(0, false, TunOffload.None, $"port {port.Name} is not a tap"), d);
        Assert.Equal("spare", port.Name);
        Assert.Equal(TunOffload.None, k.Device("gt0")!.Offload);
    }

    [Fact(DisplayName = "Issue 6: a tap whose kernel refuses the header length disables the hub, naming it; no offload reaches any tap")]
    public void HeaderRefusedNamed()
    {
        var (k, stack) = TwoVnetTaps();
        k.Device("gt1")!.Deleted = true;
        var d = Assert.Single(HubOffloadPlanner.Apply(stack));
        Assert.Equal(new HubOffloadPlanner.Decision(0, false, TunOffload.None, "netdev t1 refused the header length"), d);
        Assert.Equal(TunOffload.None, k.Device("gt0")!.Offload);
    }
}
