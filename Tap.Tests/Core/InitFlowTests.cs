using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;
using Tap.Sim;

namespace Tap.Tests.Core;

/// <summary>Creation flows not reached by the reference-model property: hubports, the factory, helper failures.</summary>
public sealed class InitFlowTests
{
    private static readonly NetdevEnvironment Env = new();

    private static NetdevInitResult Create(NetStack stack, SimKernel k, string arg)
    {
        var parsed = NetdevParser.Parse(arg);
        Assert.Null(parsed.Error);
        return NetdevFactory.Create(stack, k, Env, parsed.Options!);
    }

    [Fact(DisplayName = "O50/O51/Q20: hubports join a hub and peer with their netdev; two taps forward through the hub")]
    public void HubJoinsTaps()
    {
        var k = new SimKernel(5);
        var stack = new NetStack();
        Assert.True(Create(stack, k, "tap,id=t0,script=no,downscript=no").Ok);
        Assert.True(Create(stack, k, "tap,id=t1,script=no,downscript=no").Ok);
        Assert.True(Create(stack, k, "hubport,id=h0,hubid=0,netdev=t0").Ok);
        Assert.True(Create(stack, k, "hubport,id=h1,hubid=0,netdev=t1").Ok);
        Assert.Empty(ClientCheck.Warnings(stack));
        k.SetLinkUp("tap0", true);
        k.SetLinkUp("tap1", true);
        k.HostSend("tap0", SimRig.Frame(100));
        k.HostSend("tap0", SimRig.Frame(20));
        k.RunUntilIdle();
        var got = k.HostReceive("tap1");
        Assert.Equal(2, got.Count);
        Assert.Equal(110, got[0].Length);
        Assert.Equal(70, got[1].Length);   // padded to 60 by the hub peer (Q21), plus tap1's header
        Assert.Equal(new[] { "h1", "h0" }, stack.Hubs[0].Ports.Select(p => p.Name));
    }

    [Fact(DisplayName = "O50/O52/X8: hubport errors instead of QEMU's aborts and crashes")]
    public void HubportErrors()
    {
        var k = new SimKernel(5);
        var stack = new NetStack();
        Assert.True(Create(stack, k, "tap,id=t0,script=no,downscript=no").Ok);
        Assert.Equal("netdev 'nope' not found", Create(stack, k, "hubport,id=h0,hubid=0,netdev=nope").Error);
        Assert.True(Create(stack, k, "hubport,id=h0,hubid=0,netdev=t0").Ok);
        Assert.Equal("netdev 't0' is already in use", Create(stack, k, "hubport,id=h1,hubid=1,netdev=t0").Error);
        Assert.True(Create(stack, k, "hubport,id=h2,hubid=0").Ok);
        Assert.Equal("netdev 'h2' is a port of hub 0 itself", Create(stack, k, "hubport,id=h3,hubid=0,netdev=h2").Error);
        Assert.Equal("Duplicate ID 't0'", Create(stack, k, "tap,id=t0,script=no,downscript=no").Error);
        Assert.Equal(new[] { "hub port h2 has no peer" }, ClientCheck.Warnings(stack));
        var lone = Create(stack, k, "tap,id=t9,script=no,downscript=no");
        Assert.Contains("netdev t9 has no peer", ClientCheck.Warnings(stack));
        var nic = new SimGuestPeer(stack, null, "nicx", true);
        Assert.Contains("nic nicx has no peer", ClientCheck.Warnings(stack));
        Assert.Equal("netdev 'nicx' not found", Create(stack, k, "hubport,id=h5,hubid=3,netdev=nicx").Error);
        Assert.True(lone.Ok);
    }

    [Fact(DisplayName = "O30: a tap created with a hub port as peer refuses multiqueue options")]
    public void LegacyPeer()
    {
        var k = new SimKernel(5);
        var stack = new NetStack();
        var port = stack.GetOrCreateHub(0).AddPort(null, null);
        Assert.Equal("hub0port0", port.Name);
        Assert.Equal("Multiqueue tap cannot be used with hubs",
            TapInit.Run(stack, k, Env, new TapOptions { Id = "t0", Queues = 1 }, port).Error);
        var ok = TapInit.Run(stack, k, Env, new TapOptions { Id = "t0", Script = "no", Downscript = "no" }, port);
        Assert.Same(port, ok.Created[0].Peer);
    }

    [Theory(DisplayName = "B3/B4/B6/B8/D-12/D-14: every way a helper can fail has its message and leaves nothing open")]
    [InlineData("socketpair", "socketpair() failed: Too many open files")]
    [InlineData("spawn", "Can't fork bridge helper: Cannot allocate memory")]
    [InlineData("recv", "failed to recv file descriptor: Broken pipe")]
    [InlineData("hang", "bridge helper did not finish in time and was killed")]
    [InlineData("wait", "bridge helper: could not wait for it: No child processes")]
    [InlineData("signal", "bridge helper failed (killed by signal 9)")]
    [InlineData("sendthenfail", "bridge helper failed (exit code 1)")]
    [InlineData("nullfd", "Unable to query TUNGETIFF on FD 4: Inappropriate ioctl for device")]
    public void HelperFailures(string mode, string message)
    {
        var k = new SimKernel(9);
        switch (mode)
        {
            case "socketpair":
                k.SocketPairError = Tap.Core.Abi.Errno.EMFILE;
                break;
            case "spawn":
                k.Helpers["/h"] = new SimHelper(SimHelperSends.Nothing, ChildOutcome.SpawnFailure(Tap.Core.Abi.Errno.ENOMEM));
                break;
            case "recv":
                k.Helpers["/h"] = new SimHelper(SimHelperSends.ReceiveFails, ChildOutcome.Exit(0));
                break;
            case "hang":
                k.Helpers["/h"] = new SimHelper(SimHelperSends.Hangs, ChildOutcome.Timeout());
                break;
            case "wait":
                k.Helpers["/h"] = new SimHelper(SimHelperSends.Nothing, ChildOutcome.WaitFailure(Tap.Core.Abi.Errno.ECHILD));
                break;
            case "signal":
                k.Helpers["/h"] = new SimHelper(SimHelperSends.Nothing, ChildOutcome.Signal(9));
                break;
            case "sendthenfail":
                k.Helpers["/h"] = SimHelper.SendsTap(exitCode: 1);
                break;
            case "nullfd":
                k.Helpers["/h"] = new SimHelper(SimHelperSends.OtherFd, ChildOutcome.Exit(0));
                break;
        }
        var stack = new NetStack();
        var r = BridgeInit.Run(stack, k, Env, new BridgeOptions { Id = "b0", Helper = "/h", Br = "br0" });
        Assert.Equal(message, r.Error);
        Assert.Equal(new[] { 0, 1, 2 }, k.OpenFds);
        Assert.Empty(k.Devices);
        Assert.Empty(stack.Clients);
    }

    [Fact(DisplayName = "netdev-options §5/H8: a working helper gives a bridge queue: model bridge, info helper=(null),br=<br>, no sndbuf")]
    public void BridgeOk()
    {
        var k = new SimKernel(9);
        k.Helpers[Env.DefaultBridgeHelper] = SimHelper.SendsTap();
        var stack = new NetStack();
        var r = Create(stack, k, "bridge,id=b0,br=specbr0");
        var q = Assert.IsType<TapBackend>(Assert.Single(r.Created));
        Assert.Equal("bridge", q.Model);
        Assert.Equal("helper=(null),br=specbr0", q.InfoStr);
        Assert.True(q.HasVnetHdr);
        Assert.DoesNotContain(k.Record.Lines, l => l.StartsWith("TunSetSndBuf ", StringComparison.Ordinal));
        Assert.Equal(new[] { Env.DefaultBridgeHelper, "--use-vnet", "--fd=4", "--br=specbr0" }, k.HelperRuns[0]);
        stack.DeleteAll();
        Assert.Equal(new[] { 0, 1, 2 }, k.OpenFds);
    }

    [Fact(DisplayName = "O31 A4: a given tap fd whose device was deleted fails the probe with EBADFD and is closed")]
    public void VnetHdrSizeRefused()
    {
        var k = new SimKernel(9);
        var stack = new NetStack();
        var fd = k.AddTapFd("given", vnetHdr: true);
        k.Device("given")!.Deleted = true;
        var r = TapInit.Run(stack, k, Env, new TapOptions { Id = "t0", Fd = fd.ToString() });
        Assert.Equal($"Unable to query TUNGETIFF on FD {fd}: File descriptor in bad state", r.Error);
        Assert.False(k.IsOpen(fd));
    }

    [Fact(DisplayName = "O37.4: vnet_hdr=on without IFF_VNET_HDR among the features fails, and the fd is closed")]
    public void FeaturesFail()
    {
        var k = new SimKernel(9) { Features = 0 };
        var stack = new NetStack();
        var r = TapInit.Run(stack, k, Env, new TapOptions { Id = "t0", Script = "no", Downscript = "no", VnetHdr = true });
        Assert.Equal("vnet_hdr=1 requested, but no kernel support for IFF_VNET_HDR available", r.Error);
        Assert.Equal(new[] { 0, 1, 2 }, k.OpenFds);
    }
}
