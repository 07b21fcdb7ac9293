using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Sim;

namespace Tap.Tests.Sim;

/// <summary>
/// The simulated vhost-net worker driven through the kernel's own calls (no backend): the budgets of one run
/// (vhost-net §5.5: 256 packets or 512 KiB), what a deleted tap does to it, backend replacement, and the ownership
/// record. Each test kills mutants of SimKernel.Vhost.cs that no other test noticed
/// (docs/mutation/sim-kernel-triage.md).
/// </summary>
public sealed class SimVhostPinsTests
{
    private sealed record Rig(SimKernel Kernel, Fd Tap, Fd VhostFd, SimVhostDevice Vhost);

    /// <summary>A tap "t0" (up, with or without VNET_HDR) and a started vhost device; the tap owns the header by
    /// default.</summary>
    private static Rig Started(bool vnetHdr = true, bool tapOwnsHeader = true, string name = "t0")
    {
        var k = new SimKernel(9) { VhostPresent = true };
        var tap = k.OpenTunControl().Value;
        var flags = TunFlags.Tap | TunFlags.NoPi | (vnetHdr ? TunFlags.VnetHdr : 0);
        Assert.True(k.TunSetIff(tap, name, flags).Ok);
        k.SetLinkUp(name, true);
        var v = k.OpenVhostNet().Value;
        Assert.True(k.VhostNetInit(v, tap, tapOwnsHeader, 0).Ok);
        Assert.True(k.VhostNetStart(v, tap).Ok);
        return new Rig(k, tap, v, k.VhostOf(v)!);
    }

    [Fact(DisplayName = "vhost-net §5.5 TX: one worker run sends at most 256 packets")]
    public void TransmitPacketBudget()
    {
        var r = Started();
        for (int i = 0; i < 300; i++)
        {
            r.Vhost.GuestTransmit(new byte[10 + 60]);
        }
        Assert.Equal(256, r.Kernel.RunOnce());
        Assert.Equal((256L, 44), (r.Vhost.TxSent, r.Vhost.GuestTxPending));
    }

    [Fact(DisplayName = "vhost-net §5.5 TX: one worker run stops once 512 KiB went out (8 chains of 64 KiB, not 9)")]
    public void TransmitByteBudget()
    {
        var r = Started();
        for (int i = 0; i < 9; i++)
        {
            r.Vhost.GuestTransmit(new byte[65536]);
        }
        Assert.Equal(8, r.Kernel.RunOnce());
        Assert.Equal(1, r.Vhost.GuestTxPending);
        Assert.Equal(1, r.Kernel.RunOnce());
        Assert.Equal(9, r.Kernel.HostReceive("t0").Count);
    }

    [Fact(DisplayName = "vhost-net §5.5 RX: one worker run fills at most 256 guest buffers")]
    public void ReceivePacketBudget()
    {
        var r = Started();
        r.Vhost.GuestPostRxBuffers(300, 2048);
        for (int i = 0; i < 300; i++)
        {
            Assert.True(r.Kernel.HostSend("t0", new byte[60]));
        }
        Assert.Equal(256, r.Kernel.RunOnce());
        Assert.Equal(256, r.Vhost.GuestReceived.Count);
        Assert.Equal(44, r.Kernel.Device("t0")!.Queues[0].Pending);
    }

    [Fact(DisplayName = "vhost-net §8 item 4: after ip link del the worker's sends fail (EBADFD: dropped, completed) and the purged frames never reach the guest")]
    public void DeletedTap()
    {
        var r = Started();
        r.Kernel.HostSend("t0", new byte[60]);
        r.Kernel.HostSend("t0", new byte[60]);
        r.Kernel.DeleteDevice("t0");
        r.Vhost.GuestPostRxBuffers(2, 2048);
        r.Vhost.GuestTransmit(new byte[10 + 60]);
        Assert.Equal(1, r.Kernel.RunOnce());
        Assert.Equal((0L, 1L, 0), (r.Vhost.TxSent, r.Vhost.TxDropped, r.Vhost.GuestTxPending));
        Assert.Empty(r.Vhost.GuestReceived);
        Assert.Equal(2, r.Vhost.GuestRxBuffersFree);
    }

    [Fact(DisplayName = "vhost-net §5.5 RX 5: when the tap owns the header but the tap has none, the guest gets the bare frame")]
    public void TapWithoutHeader()
    {
        var r = Started(vnetHdr: false, tapOwnsHeader: true);
        r.Vhost.GuestPostRxBuffers(1, 2048);
        byte[] frame = [.. Enumerable.Range(0, 60).Select(i => (byte)i)];
        Assert.True(r.Kernel.HostSend("t0", frame));
        Assert.Equal(1, r.Kernel.RunOnce());
        Assert.Equal([frame], r.Vhost.GuestReceived);
    }

    [Fact(DisplayName = "vhost-net §4.2: SET_BACKEND to a second tap lets go of the first; the process's reads of the first are no longer the worker's")]
    public void BackendReplaced()
    {
        var r = Started();
        var second = r.Kernel.OpenTunControl().Value;
        Assert.True(r.Kernel.TunSetIff(second, "t1", TunFlags.Tap | TunFlags.NoPi | TunFlags.VnetHdr).Ok);
        Assert.True(r.Kernel.VhostNetStart(r.VhostFd, second).Ok);
        Assert.Null(r.Kernel.Device("t0")!.Queues[0].VhostOwner);
        Assert.Equal(Errno.EAGAIN, r.Kernel.Read(r.Tap, new byte[100]).Error);
        Assert.Empty(r.Kernel.VhostOwnershipViolations);
        Assert.Equal(Errno.EAGAIN, r.Kernel.Read(second, new byte[100]).Error);
        Assert.Equal(["read(5) while a vhost worker owns the queue"], r.Kernel.VhostOwnershipViolations);
    }

    [Fact(DisplayName = "vhost-net §8 item 1: closing the backend's tap fd does not stop traffic; the tap lives until the vhost fd lets go of it")]
    public void ClosedTapFdLivesOnWithTheWorker()
    {
        var r = Started();
        var q = r.Kernel.Device("t0")!.Queues[0];
        Assert.True(r.Kernel.Close(r.Tap).Ok);
        Assert.False(r.Kernel.IsOpen(r.Tap));
        Assert.NotNull(r.Kernel.Device("t0"));
        r.Vhost.GuestTransmit(new byte[10 + 60]);
        r.Vhost.GuestPostRxBuffers(1, 2048);
        Assert.True(r.Kernel.HostSend("t0", new byte[60]));
        Assert.Equal(2, r.Kernel.RunOnce());
        Assert.Single(r.Kernel.HostReceive("t0"));
        Assert.Single(r.Vhost.GuestReceived);
        var again = r.Kernel.OpenTunControl().Value;
        var flags = TunFlags.Tap | TunFlags.NoPi | TunFlags.VnetHdr;
        Assert.Equal(Errno.EBUSY, r.Kernel.TunSetIff(again, "t0", flags).Error);    // its one queue is still attached
        Assert.True(r.Kernel.HostSend("t0", new byte[60]));        // no guest buffer left: it waits in the queue
        Assert.True(r.Kernel.Close(r.VhostFd).Ok);
        Assert.Null(r.Kernel.Device("t0"));                        // the worker held the last reference
        Assert.Equal((0, 1L), (q.Pending, q.Purged));
    }

    [Fact(DisplayName = "vhost-net §1: the process's reads and writes on a queue the worker owns are listed by call and fd")]
    public void OwnershipViolationsListed()
    {
        var r = Started();
        Assert.Equal(3, r.Tap.Number);
        r.Kernel.Read(r.Tap, new byte[100]);
        r.Kernel.Write(r.Tap, new byte[10], new byte[60]);
        Assert.Equal(
            ["read(3) while a vhost worker owns the queue", "writev(3) while a vhost worker owns the queue"],
            r.Kernel.VhostOwnershipViolations);
        Assert.True(r.Kernel.VhostNetStop(r.VhostFd).Ok);
        r.Kernel.Read(r.Tap, new byte[100]);
        Assert.Equal(2, r.Kernel.VhostOwnershipViolations.Count);
    }

    [Fact(DisplayName = "vhost-net §3: a failing VHOST_GET_FEATURES is QEMU's 'vhost_get_features failed: Input/output error'")]
    public void GetFeaturesFailure()
    {
        var k = new SimKernel(1) { VhostPresent = true, VhostInitFailsFrom = 0 };
        var tap = k.AddTapFd("t0", vnetHdr: true);
        var v = k.OpenVhostNet().Value;
        var result = k.VhostNetInit(v, tap, true, 0);
        Assert.False(result.Ok);
        Assert.Equal("vhost_get_features failed: Input/output error", result.Detail);
    }
}
