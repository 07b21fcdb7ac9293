using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;
using Tap.Sim;

namespace Tap.Tests.Sim;

/// <summary>The simulated vhost-net device (vhost-net §7) and the backend's hand-over rules R25a-R25c on it.</summary>
public sealed class SimVhostTests
{
    private sealed class VhostTapRig
    {
        public VhostTapRig(bool vnetHdr = true, uint? queues = null, ulong? sndbuf = null)
        {
            Kernel = new SimKernel(11) { VhostPresent = true };
            var r = TapInit.Run(Stack, Kernel, new NetdevEnvironment(), new TapOptions
            {
                Id = "v0", Ifname = "vh0", Script = "no", Downscript = "no", VnetHdr = vnetHdr, Queues = queues,
                Sndbuf = sndbuf, Vhost = true, PollUs = 7,
            });
            Assert.Null(r.Error);
            Taps = r.Created.Cast<TapBackend>().ToList();
            Kernel.SetLinkUp("vh0", true);
        }

        public SimKernel Kernel { get; }
        public NetStack Stack { get; } = new();
        public List<TapBackend> Taps { get; }
        public TapBackend Tap => Taps[0];
        public SimVhostDevice Vhost => Kernel.VhostOf(Tap.VhostFd!.Value)!;
    }

    private static byte[] Frame(int length, byte fill) => Enumerable.Repeat(fill, length).ToArray();

    [Fact(DisplayName = "vhost-net §7.1-§7.2: start and stop need an owner (EPERM), a vhost fd (ENOTTY, EBADF) and a live tap (ENOTSOCK, EINVAL)")]
    public void StartAndStopErrors()
    {
        var k = new SimKernel(1) { VhostPresent = true };
        var tap = k.AddTapFd("t0", vnetHdr: true);
        var vhost = k.OpenVhostNet().Value;
        var other = k.AddOtherFd("/dev/null");
        Assert.Equal(Errno.EPERM, k.VhostNetStart(vhost, tap).Error);
        Assert.Equal(Errno.EPERM, k.VhostNetStop(vhost).Error);
        Assert.True(k.VhostNetInit(vhost, tap, true, 0).Ok);
        Assert.Equal(Errno.ENOTTY, k.VhostNetStart(other, tap).Error);
        Assert.Equal(Errno.EBADF, k.VhostNetStart(new Fd(99), tap).Error);
        Assert.Equal(Errno.ENOTSOCK, k.VhostNetStart(vhost, other).Error);
        Assert.Equal(Errno.ENOTSOCK, k.VhostNetStart(vhost, new Fd(99)).Error);
        Assert.True(k.VhostNetStop(vhost).Ok);   // detaching nothing is fine
        k.DeleteDevice("t0");
        Assert.Equal(Errno.EINVAL, k.VhostNetStart(vhost, tap).Error);
    }

    [Fact(DisplayName = "vhost-net §7.5: without an attached vhost device a loop iteration is unchanged; closing the vhost fd detaches")]
    public void WorkerOnlyWhenAttached()
    {
        var k = new SimKernel(1) { VhostPresent = true };
        var tap = k.AddTapFd("t0", vnetHdr: true);
        var vhost = k.OpenVhostNet().Value;
        Assert.True(k.VhostNetInit(vhost, tap, true, 0).Ok);
        k.SetLinkUp("t0", true);
        var device = k.VhostOf(vhost)!;
        device.GuestTransmit(new byte[10 + 60]);
        Assert.Equal(0, k.RunOnce());
        Assert.Equal(1, device.GuestTxPending);
        Assert.True(k.VhostNetStart(vhost, tap).Ok);
        Assert.Equal(1, k.RunOnce());
        Assert.Equal(1, device.TxSent);
        Assert.True(k.Close(vhost).Ok);
        Assert.Null(device.Backend);
        Assert.Null(((SimFile.Tun)k.FileOf(tap)!).Queue!.VhostOwner);
    }

    [Fact(DisplayName = "vhost-net §5.5: a full tap send buffer keeps the chain on the ring until the host drains; a header-only chain is lost, counted")]
    public void TransmitWaitsAndLoses()
    {
        var rig = new VhostTapRig(vnetHdr: false, sndbuf: 100);
        Assert.Equal(0, rig.Tap.VhostStart());
        var v = rig.Vhost;
        v.GuestTransmit([.. new byte[12], .. Frame(80, 1)]);
        v.GuestTransmit([.. new byte[12], .. Frame(80, 2)]);
        v.GuestTransmit(new byte[12]);
        Assert.Equal(1, rig.Kernel.RunOnce());
        Assert.Equal(2, v.GuestTxPending);
        Assert.Equal(0, rig.Kernel.RunOnce());
        Assert.Equal([Frame(80, 1)], rig.Kernel.HostReceive("vh0"));
        Assert.Equal(2, rig.Kernel.RunOnce());
        Assert.Equal([Frame(80, 2)], rig.Kernel.HostReceive("vh0"));
        Assert.Equal((2L, 0L, 1L, 0), (v.TxSent, v.TxDropped, v.TxRingErrors, v.GuestTxPending));
        Assert.Empty(rig.Kernel.VhostOwnershipViolations);
    }

    [Fact(DisplayName = "vhost-net §5.5: a frame too big for the guest's buffer is dropped and counted; the buffer stays for the next")]
    public void ReceiveTooSmall()
    {
        var rig = new VhostTapRig(vnetHdr: true);
        Assert.Equal(0, rig.Tap.VhostStart());
        var v = rig.Vhost;
        v.GuestPostRxBuffers(1, 100);
        rig.Kernel.HostSend("vh0", Frame(200, 3));
        rig.Kernel.HostSend("vh0", Frame(60, 4));
        Assert.Equal(2, rig.Kernel.RunOnce());
        Assert.Equal(1, v.RxTooSmall);
        Assert.Equal([[.. new byte[10], .. Frame(60, 4)]], v.GuestReceived);
        Assert.Equal(0, v.GuestRxBuffersFree);
    }

    [Fact(DisplayName = "R25c: while vhost owns a queue, poll-on, enable and a completion leave the watch off; the peer's packet waits for the stop")]
    public void NothingTurnsTheWatchBackOn()
    {
        var rig = new VhostTapRig(queues: 2);
        var q = rig.Tap;
        var guest = new SimGuestPeer(rig.Stack, q, "nic0", false);
        Assert.Equal(0, q.VhostStart());
        q.Poll(true);
        Assert.Equal(0, q.Disable());
        Assert.Equal(0, q.Enable());
        q.OnSendCompleted(q, 0);
        Assert.Equal((false, false), rig.Kernel.InterestOf(q.Fd));
        Assert.Equal(0, guest.Transmit(Frame(60, 5)));
        Assert.Equal(0, rig.Kernel.Device("vh0")!.Queues[0].WritesAccepted);
        Assert.Empty(rig.Kernel.VhostOwnershipViolations);
        Assert.Equal(0, q.VhostStop());
        // R25 sets both wishes; the flush wrote the waiting packet.
        Assert.Equal((true, true), rig.Kernel.InterestOf(q.Fd));
        Assert.Equal(1, rig.Kernel.Device("vh0")!.Queues[0].WritesAccepted);
    }

    [Fact(DisplayName = "R25a: a start the kernel refuses is reported, polling comes back and the queue stays with the backend")]
    public void RefusedStart()
    {
        var rig = new VhostTapRig();
        rig.Kernel.DeleteDevice("vh0");
        Assert.Equal(-22, rig.Tap.VhostStart());
        Assert.False(rig.Tap.VhostRunning);
        Assert.True(rig.Kernel.InterestOf(rig.Tap.Fd).Readable);
        Assert.Contains(rig.Kernel.Reports, d => d.Message == "unable to start vhost net: 22: falling back on userspace virtio");
    }

    [Fact(DisplayName = "R40: deleting a netdev whose queue vhost still owns detaches it, cleans up, then closes the vhost fd")]
    public void CleanupWhileStarted()
    {
        var rig = new VhostTapRig();
        var vhostFd = rig.Tap.VhostFd!.Value;
        var v = rig.Vhost;
        Assert.Equal(0, rig.Tap.VhostStart());
        int from = rig.Kernel.Record.Tail(1000).Count();
        rig.Stack.DeleteAll();
        var lines = rig.Kernel.Record.Tail(1000).Skip(from)
            .Where(l => l.Split(' ') is [var call, var fd, ..] && fd == $"{vhostFd}"
                && call is "VhostNetStop" or "VhostNetCleanup" or "Close" or "Watch").ToList();
        Assert.Equal([$"VhostNetStop {vhostFd} -> ok", $"VhostNetCleanup {vhostFd}", $"Close {vhostFd} -> ok"], lines);
        Assert.Null(v.Backend);
        Assert.False(v.Initialised);
        Assert.Equal([0, 1, 2], rig.Kernel.OpenFds);
    }
}
