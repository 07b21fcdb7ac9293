using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Options;
using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary>The backend's control operations (tap-backend.md §7-§8) against a real tap.</summary>
[Collection(LinuxCollection.Name)]
public sealed class BackendControlOnLinuxTests(ITestOutputHelper output)
{
    /// <summary>Runs <paramref name="body"/> with one tap made as <c>-netdev tap,id=t0,script=no,downscript=no</c> in a fresh namespace.</summary>
    private void WithTap(bool vnetHdr, Action<TestNetns, LinuxHost, TapBackend> body) =>
        RealKernel.Tun(output).InNamespace((ns, rig) =>
        {
            var tap = (TapBackend)rig.InitTap(
                new TapOptions { Id = "t0", Script = "no", Downscript = "no", VnetHdr = vnetHdr }).Created[0];
            body(ns, rig, tap);
            rig.Stack.DeleteAll();
        });

    [SkippableFact(DisplayName = "R30 [seed] on Linux: set_vnet_hdr_len(12) sets the kernel size and the peer takes over the header")]
    public void VnetHdrLen() => WithTap(true, (_, _, tap) =>
    {
        Assert.Equal(10, tap.HostVnetHdrLen);
        Assert.False(tap.UsingVnetHdr);
        Assert.True(tap.SetVnetHdrLen(12));
        Assert.Equal(12, tap.HostVnetHdrLen);
        Assert.True(tap.UsingVnetHdr);
        Assert.Equal(12, tap.VnetHdrLen);
        Assert.True(tap.HasVnetHdrLen(20));   // I4 [seed]: the length is not probed
    });

    [SkippableFact(DisplayName = "R32 on Linux: TUNSETVNETLE works; TUNSETVNETBE is EINVAL here and returns -22 without a report")]
    public void Endianness() => WithTap(true, (_, rig, tap) =>
    {
        Assert.Equal(0, tap.SetVnetLe(true));
        Assert.Equal(0, tap.SetVnetLe(false));
        int be = tap.SetVnetBe(true);
        Assert.True(be is 0 or -22, $"TUNSETVNETBE gave {be}");
        Assert.Equal(0, tap.SetVnetBe(false) is 0 or -22 ? 0 : 1);
        Assert.Empty(rig.Reports);
    });

    [SkippableFact(DisplayName = "R33 on Linux: offloads that need CSUM are dropped without it; ECN needs TSO; the kernel keeps the mask")]
    public void Offloads() => WithTap(true, (_, rig, tap) =>
    {
        tap.SetOffload(TunOffload.Csum | TunOffload.Tso4 | TunOffload.Tso6 | TunOffload.TsoEcn | TunOffload.Ufo | TunOffload.Uso4 | TunOffload.Uso6);
        tap.SetOffload(TunOffload.Tso4 | TunOffload.Ufo);          // no CSUM: mask 0
        tap.SetOffload(TunOffload.Csum | TunOffload.TsoEcn);       // ECN without TSO: CSUM only
        Assert.Empty(rig.Reports);
        Assert.True(tap.HasUfo);
    });

    [SkippableFact(DisplayName = "R34 on Linux: steering -1 detaches; a closed prog fd fails with QEMU's report")]
    public void Steering() => WithTap(true, (_, rig, tap) =>
    {
        Assert.True(tap.SetSteeringEbpf(-1));
        Assert.False(tap.SetSteeringEbpf(9999));
        var report = Assert.Single(rig.Reports);
        Assert.Equal($"Issue while setting TUNSETSTEERINGEBPF: Bad file descriptor with fd: {tap.Fd}, prog_fd: 9999", report.Message);
    });

    [SkippableFact(DisplayName = "R25 on Linux: poll(false) removes both watches; poll(true) turns both on")]
    public void Poll() => WithTap(false, (ns, rig, tap) =>
    {
        Assert.False(tap.HasVnetHdr);
        tap.Poll(false);
        Assert.False(tap.WatchingReadable);
        Assert.False(tap.WatchingWritable);
        tap.Poll(true);
        Assert.True(tap.WatchingReadable);
        Assert.True(tap.WatchingWritable);
        // A down tap is never writable (linux-tun.md §9); once up, writable fires: the watch goes off again and
        // the (empty) queue is flushed (R16).
        rig.Loop.RunOnce(0);
        Assert.True(tap.WatchingWritable);
        ns.Ip("link", "set", "tap0", "up");
        rig.Loop.RunOnce(100);
        Assert.False(tap.WatchingWritable);
    });
}
