using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Net;
using Tap.Core.Os;
using Tap.Sim;

namespace Tap.Tests.Core;

/// <summary>tap-backend.md rules, one by one, in the simulated kernel.</summary>
public sealed class TapBackendRuleTests
{
    [Fact(DisplayName = "R4-R10 [seed]: UFO probe, USO probe, offloads reset twice, TUNSETVNETHDRSZ 10, read watch on")]
    public void CreationSequence()
    {
        var rig = new SimRig();
        var ioctls = rig.Kernel.Record.Lines
            .Where(l => l.Split(' ') is [var call, "3", ..] && (call.StartsWith("TunSet", StringComparison.Ordinal)
                || call == "TunClearTxFilter"))
            .ToList();
        Assert.Equal(new[]
        {
            "TunSetIff 3 \"tap%d\" 0x7002 -> ok \"tap0\"",
            // D-21: what a previous user of the device may have left, cleared (TUNDETACHFILTER is not a TUNSET).
            "TunSetSteeringEbpf 3 -1 -> ok",
            "TunSetFilterEbpf 3 -1 -> ok",
            "TunClearTxFilter 3 -> ok",
            "TunSetVnetLe 3 0 -> ok",
            "TunSetOffload 3 0x11 -> ok",
            "TunSetOffload 3 0x61 -> ok",
            "TunSetOffload 3 0x0 -> ok",
            "TunSetOffload 3 0x0 -> ok",
            "TunSetVnetHdrSize 3 10 -> ok",
            "TunSetSndBuf 3 2147483647 -> ok",
        }, ioctls);
        Assert.True(rig.Tap.HasUfo && rig.Tap.HasUso);
        Assert.Equal((true, false), rig.Kernel.InterestOf(rig.Tap.Fd));
    }

    [Fact(DisplayName = "R6: a kernel without USO makes the probe fail; has_uso is false")]
    public void NoUso()
    {
        var k = new SimKernel(1) { UsoKnown = false };
        var stack = new NetStack();
        var r = Tap.Core.Init.TapInit.Run(stack, k, new Tap.Core.Init.NetdevEnvironment(), new Tap.Core.Options.TapOptions { Id = "t0", Script = "no", Downscript = "no" });
        var tap = (TapBackend)r.Created[0];
        Assert.True(tap.HasUfo);
        Assert.False(tap.HasUso);
    }

    [Fact(DisplayName = "R11/R15: a packet to the host gets 10 zero bytes in front; the result counts them")]
    public void HeaderPrepended()
    {
        var rig = new SimRig();
        var peer = rig.Peer();
        Assert.Equal(30, peer.Transmit(SimRig.Frame(20)));
        var written = Assert.Single(rig.Kernel.HostReceive("tap0"));
        Assert.Equal(30, written.Length);
        Assert.All(written.Take(10), b => Assert.Equal(0, b));
        Assert.Equal(SimRig.Frame(20), written.Skip(10));
    }

    [Fact(DisplayName = "R12: no padding towards the host: 20 bytes stay 20 bytes (plus the header)")]
    public void NoPaddingTowardsHost()
    {
        var rig = new SimRig(vnetHdr: false);
        var peer = rig.Peer();
        Assert.Equal(20, peer.Transmit(SimRig.Frame(20)));
        Assert.Equal(20, Assert.Single(rig.Kernel.HostReceive("tap0")).Length);
    }

    [Fact(DisplayName = "R13/R16/Q13: EAGAIN queues the packet and turns the write watch on; writable flushes it and completes")]
    public void EagainThenWritable()
    {
        var rig = new SimRig(sndbuf: 100);
        var peer = rig.Peer();
        Assert.Equal(90, peer.Transmit(SimRig.Frame(80)));
        Assert.Equal(0, peer.Transmit(SimRig.Frame(80)));       // 90 in flight + 90 > 100: EAGAIN
        Assert.True(rig.Tap.WritePoll);
        Assert.True(rig.Tap.ReceiveDisabled);
        Assert.Equal((true, true), rig.Kernel.InterestOf(rig.Tap.Fd));
        Assert.Equal(1, rig.Tap.Counters.EagainStalls);

        rig.Kernel.RunOnce();                                   // not writable yet: nothing drained
        Assert.Empty(peer.Completions);
        Assert.Single(rig.Kernel.HostReceive("tap0"));          // the host takes the first packet
        rig.Kernel.RunOnce();                                   // writable → flush
        Assert.False(rig.Tap.WritePoll);
        Assert.False(rig.Tap.ReceiveDisabled);
        Assert.Equal(new[] { 90 }, peer.Completions);
        Assert.Single(rig.Kernel.HostReceive("tap0"));
    }

    [Fact(DisplayName = "R14/D-15: a write to a down interface fails with EIO: dropped, counted, reported once")]
    public void WriteWhileDown()
    {
        var rig = new SimRig(up: false);
        var peer = rig.Peer();
        Assert.True(peer.Transmit(SimRig.Frame(60)) < 0);
        Assert.True(peer.Transmit(SimRig.Frame(60)) < 0);
        Assert.False(rig.Tap.ReceiveDisabled);
        Assert.Equal(2, rig.Tap.Counters.Drops(DropReason.WriteError));
        Assert.Equal(2, peer.Counters.Drops(DropReason.Rejected));
        Assert.Single(rig.Kernel.Reports, d => d.Message.Contains("Input/output error", StringComparison.Ordinal));
    }

    [Fact(DisplayName = "R20/R22: 300 frames are forwarded in bursts of exactly 50 per readable callback")]
    public void FiftyPerCallback()
    {
        var rig = new SimRig();
        var peer = rig.Peer();
        for (int i = 0; i < 300; i++)
        {
            rig.Kernel.HostSend("tap0", SimRig.Frame(100));
        }
        var bursts = new List<long>();
        while (rig.Kernel.RunOnce() > 0)
        {
            bursts.Add(peer.AcceptedPackets - bursts.Sum());
        }
        Assert.Equal(new long[] { 50, 50, 50, 50, 50, 50 }, bursts);
    }

    [Fact(DisplayName = "R20.3/Q16/I8: header stripped; a 20-byte frame arrives at a padding peer as 60 bytes, zero-filled")]
    public void StripAndPad()
    {
        var rig = new SimRig();
        var peer = rig.Peer(virtio: false);
        rig.Kernel.HostSend("tap0", SimRig.Frame(20));
        rig.Kernel.HostSend("tap0", SimRig.Frame(100));
        rig.Kernel.RunOnce();
        Assert.Equal(60, peer.Received[0].Length);
        Assert.Equal(SimRig.Frame(20), peer.Received[0].Take(20));
        Assert.All(peer.Received[0].Skip(20), b => Assert.Equal(0, b));
        Assert.Equal(SimRig.Frame(100), peer.Received[1]);
    }

    [Fact(DisplayName = "Q16: a virtio-net peer gets short frames unpadded")]
    public void VirtioNoPadding()
    {
        var rig = new SimRig();
        var peer = rig.Peer(virtio: true);
        rig.Kernel.HostSend("tap0", SimRig.Frame(20));
        rig.Kernel.RunOnce();
        Assert.Equal(20, Assert.Single(peer.Received).Length);
    }

    [Fact(DisplayName = "R21/R24/I7: a queued send turns reading off until its completion")]
    public void BackPressure()
    {
        var rig = new SimRig();
        var peer = rig.Peer();
        peer.Refuse();
        rig.Kernel.HostSend("tap0", SimRig.Frame(64));
        rig.Kernel.HostSend("tap0", SimRig.Frame(64));
        rig.Kernel.RunOnce();
        Assert.False(rig.Tap.ReadPoll);
        Assert.Equal((false, false), rig.Kernel.InterestOf(rig.Tap.Fd));
        Assert.Equal(1, peer.IncomingQueue.Count);
        Assert.Equal(1, rig.Tap.Counters.PeerBackpressureStalls);
        peer.Open();
        Assert.True(rig.Tap.ReadPoll);
        rig.Kernel.RunUntilIdle();
        Assert.Equal(2, peer.AcceptedPackets);
    }

    [Fact(DisplayName = "R23: with no peer a frame is taken as sent and counted as dropped")]
    public void NoPeer()
    {
        var rig = new SimRig();
        rig.Kernel.HostSend("tap0", SimRig.Frame(64));
        rig.Kernel.RunOnce();
        Assert.Equal(1, rig.Tap.Counters.Drops(DropReason.NoPeer));
        Assert.True(rig.Tap.ReadPoll);
    }

    [Fact(DisplayName = "R23b/D1: a read shorter than the header is dropped and counted, never passed on")]
    public void ShortRead()
    {
        var rig = new SimRig();
        var peer = rig.Peer();
        rig.Kernel.HostSend("tap0", ReadOnlySpan<byte>.Empty);
        rig.Kernel.RunOnce();
        Assert.Equal(0, peer.AcceptedPackets);
        Assert.Equal(1, rig.Tap.Counters.Drops(DropReason.ShortRead));
    }

    [Fact(DisplayName = "R22a/D-17: a deleted interface stops the watch (no spin), takes the link down, says so once")]
    public void DeletedInterface()
    {
        var rig = new SimRig();
        var peer = rig.Peer();
        rig.Kernel.DeleteDevice("tap0");
        Assert.Equal(1, rig.Kernel.RunOnce());
        Assert.True(rig.Tap.Broken);
        Assert.True(rig.Tap.LinkDown);
        Assert.Equal(0, rig.Kernel.RunOnce());
        Assert.Single(rig.Kernel.Reports, d => d.Message.Contains("interface is gone", StringComparison.Ordinal));
        Assert.True(peer.Transmit(SimRig.Frame(60)) > 0);     // the link is down: the net layer drops and counts
        Assert.Equal(1, peer.Counters.Drops(DropReason.ReceiverLinkDown));
        rig.Stack.DeleteAll();
        Assert.Equal(new[] { 0, 1, 2 }, rig.Kernel.OpenFds);
    }

    [Fact(DisplayName = "R14/D-17: a write failing with EBADFD marks the queue broken too")]
    public void WriteEbadfd()
    {
        var rig = new SimRig();
        rig.Device.Deleted = true;
        var peer = rig.Peer();
        Assert.True(peer.Transmit(SimRig.Frame(60)) < 0);
        Assert.True(rig.Tap.Broken);
        Assert.Equal(-1, rig.Tap.Receive(SimRig.Frame(60)));
    }

    [Fact(DisplayName = "R25: poll(false) removes both watches, poll(true) sets both")]
    public void Poll()
    {
        var rig = new SimRig();
        rig.Tap.Poll(false);
        Assert.Equal((false, false), rig.Kernel.InterestOf(rig.Tap.Fd));
        rig.Tap.Poll(true);
        Assert.Equal((true, true), rig.Kernel.InterestOf(rig.Tap.Fd));
    }

    [Fact(DisplayName = "R26/R27/I9/I10: disable purges the pending send and detaches; repeated calls do nothing")]
    public void EnableDisable()
    {
        var rig = new SimRig(queues: 2);
        var q1 = rig.Taps[1];
        var peer = rig.Peer(queue: 1);
        peer.Refuse();
        rig.Kernel.HostSend("tap0", SimRig.Frame(64), queueIndex: 1);
        rig.Kernel.RunOnce();
        Assert.Equal(1, peer.IncomingQueue.Count);
        int ioctls = rig.Kernel.Record.Lines.Count(l => l.StartsWith("TunSetQueue ", StringComparison.Ordinal));
        Assert.Equal(0, q1.Disable());
        Assert.Equal(0, peer.IncomingQueue.Count);
        Assert.True(q1.ReadPoll);
        Assert.False(q1.Enabled);
        Assert.Equal((false, false), rig.Kernel.InterestOf(q1.Fd));
        Assert.Equal(0, q1.Disable());
        Assert.Equal(0, q1.Enable());
        Assert.Equal(0, q1.Enable());
        Assert.Equal(ioctls + 2, rig.Kernel.Record.Lines.Count(l => l.StartsWith("TunSetQueue ", StringComparison.Ordinal)));
        Assert.Equal((true, false), rig.Kernel.InterestOf(q1.Fd));
    }

    [Fact(DisplayName = "R26/R27: a single-queue tap refuses TUNSETQUEUE: QEMU's messages, state unchanged")]
    public void EnableDisableFail()
    {
        var rig = new SimRig();
        Assert.Equal(-(int)Errno.EINVAL, rig.Tap.Disable());
        Assert.True(rig.Tap.Enabled);
        Assert.Contains(rig.Kernel.Reports, d => d == new Diagnostic(DiagnosticKind.Error, "could not disable queue"));
        var mq = new SimRig(queues: 2);
        Assert.Equal(0, mq.Taps[0].Disable());
        mq.Device.Deleted = true;
        Assert.Equal(-(int)Errno.EBADFD, mq.Taps[0].Enable());
        Assert.Contains(mq.Kernel.Reports, d => d == new Diagnostic(DiagnosticKind.Error, "could not enable queue"));
    }

    [Fact(DisplayName = "R30 [seed]: set_vnet_hdr_len(12): header passes through both ways; a failing ioctl is reported, not fatal (D-16)")]
    public void VnetHdrLen()
    {
        var rig = new SimRig();
        var peer = rig.Peer(virtio: true);
        Assert.True(peer.Negotiate(12, TunOffload.Csum | TunOffload.Tso4, littleEndian: true));
        Assert.Equal(12, rig.Device.VnetHdrSize);
        Assert.Equal(TunOffload.Csum | TunOffload.Tso4, rig.Device.Offload);
        Assert.True(rig.Device.VnetLe);
        rig.Kernel.HostSend("tap0", SimRig.Frame(50));
        rig.Kernel.RunOnce();
        Assert.Equal(62, Assert.Single(peer.Received).Length);
        var withHeader = SimRig.Frame(26);
        Array.Clear(withHeader, 0, 12);
        Assert.Equal(26, peer.Transmit(withHeader));
        Assert.Equal(withHeader, Assert.Single(rig.Kernel.HostReceive("tap0")));

        rig.Device.Deleted = true;
        Assert.False(rig.Tap.SetVnetHdrLen(20));
        Assert.Equal(12, rig.Tap.HostVnetHdrLen);
        Assert.Contains(rig.Kernel.Reports, d => d.Message == "TUNSETVNETHDRSZ ioctl() failed: File descriptor in bad state.");
        Assert.Throws<ArgumentOutOfRangeException>(() => rig.Tap.SetVnetHdrLen(11));
    }

    [Fact(DisplayName = "R32: LE works, BE is EINVAL here (-22, silent); other failures are reported instead of aborting")]
    public void Endianness()
    {
        var rig = new SimRig();
        Assert.Equal(0, rig.Tap.SetVnetLe(true));
        Assert.Equal(-22, rig.Tap.SetVnetBe(true));
        Assert.Empty(rig.Kernel.Reports);
        rig.Kernel.VnetBeSupported = true;
        Assert.Equal(0, rig.Tap.SetVnetBe(false));
        rig.Device.Deleted = true;
        Assert.Equal(-(int)Errno.EBADFD, rig.Tap.SetVnetLe(false));
        Assert.Contains(rig.Kernel.Reports, d => d.Message == "TUNSETVNETLE ioctl() failed: File descriptor in bad state.");
    }

    [Fact(DisplayName = "R33 [seed]: capability check, mask rules, USO then UFO fallbacks, QEMU's message when all fail")]
    public void Offloads()
    {
        var rig = new SimRig();
        rig.Tap.SetOffload(TunOffload.Tso4 | TunOffload.Ufo);
        Assert.Equal(TunOffload.None, rig.Device.Offload);
        rig.Tap.SetOffload(TunOffload.Csum | TunOffload.TsoEcn);
        Assert.Equal(TunOffload.Csum, rig.Device.Offload);
        rig.Tap.SetOffload(TunOffload.Csum | TunOffload.Tso4 | TunOffload.TsoEcn | TunOffload.Ufo | TunOffload.Uso4);
        // USO4 alone is refused; the retry without USO succeeds.
        Assert.Equal(TunOffload.Csum | TunOffload.Tso4 | TunOffload.TsoEcn | TunOffload.Ufo, rig.Device.Offload);
        rig.Kernel.UsoKnown = false;
        rig.Tap.SetOffload(TunOffload.Csum | TunOffload.Uso4 | TunOffload.Uso6);
        Assert.Equal(TunOffload.Csum, rig.Device.Offload);
        Assert.Empty(rig.Kernel.Reports);

        rig.Device.Deleted = true;
        rig.Tap.SetOffload(TunOffload.Csum);
        Assert.Contains(rig.Kernel.Reports, d => d == new Diagnostic(DiagnosticKind.Raw, "TUNSETOFFLOAD ioctl() failed: File descriptor in bad state"));
    }

    [Fact(DisplayName = "R34: steering -1 detaches; a bad program fd gives QEMU's report and false")]
    public void Steering()
    {
        var rig = new SimRig();
        Assert.True(rig.Tap.SetSteeringEbpf(-1));
        Assert.False(rig.Tap.SetSteeringEbpf(77));
        Assert.Equal("Issue while setting TUNSETSTEERINGEBPF: Bad file descriptor with fd: 3, prog_fd: 77", Assert.Single(rig.Kernel.Reports).Message);
    }

    [Fact(DisplayName = "R40/R42/I1: cleanup purges, closes, unwatches; the down script runs once; nothing happens after")]
    public void Cleanup()
    {
        var k = new SimKernel(3);
        k.Scripts["/down"] = SimScript.Succeeds;
        var stack = new NetStack();
        var r = Tap.Core.Init.TapInit.Run(stack, k, new Tap.Core.Init.NetdevEnvironment(), new Tap.Core.Options.TapOptions { Id = "t0", Script = "no", Downscript = "/down" });
        var tap = (TapBackend)r.Created[0];
        var peer = new SimGuestPeer(stack, tap, "nic", false);
        peer.Refuse();
        k.SetLinkUp("tap0", true);
        k.HostSend("tap0", SimRig.Frame(64));
        k.RunOnce();
        stack.DeleteAll();
        stack.DeleteAll();
        Assert.False(tap.IsOpen);
        Assert.Equal(new[] { 0, 1, 2 }, k.OpenFds);
        Assert.Single(k.ScriptRuns);
        Assert.Equal(new[] { "/down", "tap0" }, k.ScriptRuns[0].Argv);
        Assert.Equal(new[] { 0, 1, 2, 3 }, k.ScriptRuns[0].ChildFds);   // S7: the tap fd is still open for it
        tap.OnReadable();
        tap.OnWritable();
        tap.SetOffload(TunOffload.Csum);
        Assert.Equal(-1, tap.Receive(SimRig.Frame(60)));
        Assert.Equal(0, k.RunOnce());
    }

    [Fact(DisplayName = "R41/S7: at process exit the down script runs (fd still open); a failure is reported only")]
    public void ExitNotifier()
    {
        var k = new SimKernel(3);
        k.Scripts["/down"] = SimScript.Exits(2);
        var stack = new NetStack();
        Tap.Core.Init.TapInit.Run(stack, k, new Tap.Core.Init.NetdevEnvironment(), new Tap.Core.Options.TapOptions { Id = "t0", Script = "no", Downscript = "/down" });
        stack.RunExitNotifiers();
        stack.RunExitNotifiers();
        Assert.Single(k.ScriptRuns);
        Assert.Equal(new Diagnostic(DiagnosticKind.Error, "network script /down failed with status 512 (exit code 2)"), Assert.Single(k.Reports));
        Assert.Equal("tapnet: network script /down failed with status 512 (exit code 2)", k.Reports[0].Format("tapnet"));
    }
}
