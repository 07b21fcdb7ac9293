using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Sim;
using Tap.Tests.Core;

namespace Tap.Tests.Pins;

/// <summary>Backend paths mutation testing found unobserved: fallbacks, closed and broken queues, failed sends.</summary>
public sealed class BackendEdgePinsTests
{
    private static TapBackend Create(SimKernel k, NetStack stack)
    {
        var r = TapInit.Run(stack, k, new NetdevEnvironment(), new TapOptions { Id = "t0", Script = "no", Downscript = "no" });
        Assert.Null(r.Error);
        return (TapBackend)r.Created[0];
    }

    private static IEnumerable<string> Offloads(SimKernel k, int from) =>
        k.Record.Lines.Skip(from).Where(l => l.StartsWith("TunSetOffload ", StringComparison.Ordinal));

    [Fact(DisplayName = "R33: a kernel refusing UFO gets CSUM|TSO4 after the UFO masks fail (0x13 twice, then 0x3)")]
    public void UfoFallback()
    {
        var k = new SimKernel(1) { UfoKnown = false, UsoKnown = false };
        var tap = Create(k, new NetStack());
        Assert.False(tap.HasUfo);
        int from = k.Record.Lines.Count;
        tap.SetOffload(TunOffload.Csum | TunOffload.Tso4 | TunOffload.Ufo);
        Assert.Equal(new[]
        {
            "TunSetOffload 3 0x0 -> ok",
            "TunSetOffload 3 0x13 -> err EINVAL",
            "TunSetOffload 3 0x13 -> err EINVAL",
            "TunSetOffload 3 0x3 -> ok",
        }, Offloads(k, from));
        Assert.Equal(TunOffload.Csum | TunOffload.Tso4, k.Device("tap0")!.Offload);
        Assert.Empty(k.Reports);
    }

    [Fact(DisplayName = "R33/R5/R6: without TUNSETOFFLOAD the probes fail and set_offload stops after the capability check, silently")]
    public void NoOffloadIoctl()
    {
        var k = new SimKernel(1) { OffloadSupported = false };
        var tap = Create(k, new NetStack());
        Assert.False(tap.HasUfo);
        Assert.False(tap.HasUso);
        int from = k.Record.Lines.Count;
        tap.SetOffload(TunOffload.Csum | TunOffload.Tso4);
        Assert.Equal(new[] { "TunSetOffload 3 0x0 -> err EINVAL" }, Offloads(k, from));
        Assert.Empty(k.Reports);
    }

    [Fact(DisplayName = "R40/I1: after cleanup, set_offload and poll make no kernel call at all")]
    public void NothingAfterCleanup()
    {
        var rig = new SimRig();
        rig.Stack.DeleteAll();
        int lines = rig.Kernel.Record.Lines.Count;
        rig.Tap.SetOffload(TunOffload.Csum);
        rig.Tap.Poll(true);
        rig.Tap.OnWritable();
        Assert.Equal(lines, rig.Kernel.Record.Lines.Count);
        Assert.Empty(rig.Kernel.Reports);
    }

    [Fact(DisplayName = "D-17: a broken queue refuses later packets with -1 and counts each as a write error; the report names the operation")]
    public void BrokenQueueCountsAndNames()
    {
        var rig = new SimRig();
        rig.Device.Deleted = true;
        Assert.Equal(-1, rig.Tap.Receive(SimRig.Frame(60)));
        Assert.Equal(-1, rig.Tap.Receive(SimRig.Frame(60)));
        Assert.Equal(2, rig.Tap.Counters.Drops(DropReason.WriteError));
        Assert.Equal(new[] { "tap t0: write failed: File descriptor in bad state; the interface is gone, queue stopped" },
            rig.Kernel.Reports.Select(d => d.Message));

        var reader = new SimRig();
        reader.Kernel.DeleteDevice("tap0");
        reader.Kernel.RunOnce();
        Assert.Equal(new[] { "tap t0: read failed: File descriptor in bad state; the interface is gone, queue stopped" },
            reader.Kernel.Reports.Select(d => d.Message));
    }

    [Fact(DisplayName = "R23: a send the peer rejects (-1) ends the callback: the next frame waits for the next wakeup")]
    public void RejectedSendEndsTheBurst()
    {
        var rig = new SimRig();
        var peer = new ScriptedClient(rig.Stack, rig.Tap, "nic") { NextResult = -1 };
        rig.Kernel.HostSend("tap0", SimRig.Frame(100));
        rig.Kernel.HostSend("tap0", SimRig.Frame(100));
        rig.Kernel.RunOnce();
        Assert.Equal(1, rig.Tap.FramesRead);
        Assert.True(rig.Tap.ReadPoll);
        peer.NextResult = null;
        rig.Kernel.RunOnce();
        Assert.Equal(2, rig.Tap.FramesRead);
        Assert.Single(peer.Got);
        Assert.Equal(1, rig.Tap.Counters.Drops(DropReason.Rejected));
    }

    [Fact(DisplayName = "R40: deleting a client twice cleans it up once: the second delete makes no kernel call")]
    public void CleanupOnce()
    {
        var rig = new SimRig();
        rig.Stack.Delete(rig.Tap);
        int lines = rig.Kernel.Record.Lines.Count;
        rig.Stack.Delete(rig.Tap);
        Assert.Equal(lines, rig.Kernel.Record.Lines.Count);
        Assert.Equal(new[] { 0, 1, 2 }, rig.Kernel.OpenFds);
    }

    [Fact(DisplayName = "R9/D-16: TUNSETVNETHDRSZ refused at creation is the netdev's error, with the errno, and the tap fd is closed")]
    public void VnetHdrSizeRefused()
    {
        var k = new SimKernel(1) { VnetHdrSzError = Errno.EINVAL };
        var stack = new NetStack();
        var r = TapInit.Run(stack, k, new NetdevEnvironment(), new TapOptions { Id = "t0", Script = "no", Downscript = "no" });
        Assert.Equal("TUNSETVNETHDRSZ ioctl() failed: Invalid argument.", r.Error);
        Assert.Equal(new[] { 0, 1, 2 }, k.OpenFds);
        Assert.Empty(stack.Clients);
    }
}
