using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Sim;

namespace Tap.Tests.Sim;

/// <summary>
/// The simulated kernel's record is output: `tapnet sim` hashes every line into the digest it prints (and pins), and
/// prints the last lines when a run fails. These tests pin the lines of host-side events and of the vhost worker,
/// whose outcome words say what happened to each chain. Kills the record mutants of SimKernel.Data.cs,
/// SimKernel.Time.cs and SimKernel.Vhost.cs (docs/mutation/sim-kernel-triage.md).
/// </summary>
public sealed class SimRecordPinsTests
{
    private static List<string> After(SimKernel k, int mark) => k.Record.Lines.Skip(mark).ToList();

    [Fact(DisplayName = "Record: host sends (queued, dropped), host receive, the clock read and ip link del are one line each")]
    public void HostEventLines()
    {
        var k = new SimKernel(1);
        var fd = k.OpenTunControl().Value;
        Assert.True(k.TunSetIff(fd, "t0", TunFlags.Tap | TunFlags.NoPi).Ok);
        k.Device("t0")!.TxQueueLen = 1;
        int mark = k.Record.Lines.Count;
        k.HostSend("t0", new byte[60]);
        k.HostSend("t0", new byte[61]);
        k.HostReceive("t0");
        k.ClockMonotonicNs();
        k.DeleteDevice("t0");
        Assert.Equal(
            [
                "host send t0 60 = queued",
                "host send t0 61 = dropped",
                "host receive t0 = 0",
                "ClockMonotonic -> ok 1000000000",
                "host link t0 deleted",
            ],
            After(k, mark));
    }

    [Fact(DisplayName = "Record: vhost worker lines say each chain's fate: sent (bytes to the tap), EIO, ring error; received (bytes to the guest), too small")]
    public void VhostWorkerLines()
    {
        var k = new SimKernel(1) { VhostPresent = true };
        var tap = k.OpenTunControl().Value;
        Assert.True(k.TunSetIff(tap, "t0", TunFlags.Tap | TunFlags.NoPi).Ok);
        var v = k.OpenVhostNet().Value;
        Assert.True(k.VhostNetInit(v, tap, tapHasVnetHdr: false, 0).Ok);
        Assert.True(k.VhostNetStart(v, tap).Ok);
        var vhost = k.VhostOf(v)!;
        vhost.GuestTransmit(new byte[12 + 60]);             // the tap is down: EIO, dropped
        k.RunOnce();
        k.SetLinkUp("t0", true);
        vhost.GuestTransmit(new byte[12 + 60]);             // sent: 60 bytes after the guest's header
        vhost.GuestTransmit(new byte[12]);                  // nothing after the header
        k.RunOnce();
        vhost.GuestPostRxBuffers(2, 100);
        k.HostSend("t0", new byte[200]);                    // 12 + 200 > 100
        k.HostSend("t0", new byte[60]);
        int mark = k.Record.Lines.Count;
        k.RunOnce();
        var lines = k.Record.Lines.Where(l => l.StartsWith("vhost ", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                "vhost 4 tx 72 = EIO",
                "vhost 4 tx 72 = 60",
                "vhost 4 tx 12 = ring error",
                "vhost 4 rx 200 = too small",
                "vhost 4 rx 60 = 72",
            ],
            lines);
        Assert.Equal(["vhost 4 rx 200 = too small", "vhost 4 rx 60 = 72"], After(k, mark));
    }
}
