using Tap.Core.Abi;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Sim;

namespace Tap.Tests.Pins;

/// <summary>
/// <c>-netdev tap</c> creation at its edges, seen from the simulated kernel: the 256-queue limit from both sides
/// (D-25), the TUNSETIFF flags (O37), the stale state cleared on a tap opened by name (D-21) and its warnings, a
/// vhost failure's detail, and the tap fd closed exactly once when a queue's setup fails (D-1).
/// </summary>
public sealed class TapInitPinsTests
{
    private static NetdevInitResult Create(Tap.Core.Os.IOsNet os, NetStack stack, string argument) =>
        TapInit.Run(stack, os, new NetdevEnvironment(), (TapOptions)NetdevParser.Parse(argument).Options!);

    [Fact(DisplayName = "D-25: queues=256, the kernel's most, makes 256 queues of one device")]
    public void QueuesAtTheLimit()
    {
        var k = new SimKernel(31);
        var stack = new NetStack();
        var r = Create(k, stack, "tap,id=t0,ifname=tap0,queues=256,script=no,downscript=no");
        Assert.True(r.Ok, r.Error);
        Assert.Equal(256, stack.Clients.Count);
        Assert.Equal(256, k.Device("tap0")!.Queues.Count);
    }

    [Fact(DisplayName = "D-25: fds= with 256 items, the kernel's most, makes 256 queues")]
    public void FdsAtTheLimit()
    {
        var k = new SimKernel(32);
        var fds = Enumerable.Range(0, 256).Select(_ => k.AddTapFd("tap0", vnetHdr: true, multiQueue: true).Number);
        var stack = new NetStack();
        var r = Create(k, stack, $"tap,id=t0,fds={string.Join(':', fds)}");
        Assert.True(r.Ok, r.Error);
        Assert.Equal(256, stack.Clients.Count);
    }

    [Theory(DisplayName = "O37: TUNSETIFF asks IFF_ONE_QUEUE only when TUNGETFEATURES offers it")]
    [InlineData(0x7173, 0x7002)]   // the default features: TAP | NO_PI | ONE_QUEUE | VNET_HDR
    [InlineData(0x5173, 0x5002)]   // without ONE_QUEUE (0x2000)
    public void OneQueueOnlyWhenOffered(int features, int requested)
    {
        var k = new SimKernel(33) { Features = (TunFlags)features };
        var r = Create(k, new NetStack(), "tap,id=t0,ifname=tap0,script=no,downscript=no");
        Assert.True(r.Ok, r.Error);
        Assert.Equal((TunFlags)requested, k.Device("tap0")!.Queues[0].RequestedFlags);
    }

    [Theory(DisplayName = "D-21: a stale-state clear refused with EPERM is a warning naming what was left")]
    [InlineData(nameof(FaultyOs.TunSetSteeringEbpf), "steering program")]
    [InlineData(nameof(FaultyOs.TunSetFilterEbpf), "eBPF filter")]
    [InlineData(nameof(FaultyOs.TunClearTxFilter), "TX filter")]
    [InlineData(nameof(FaultyOs.TunDetachFilter), "socket filter")]
    [InlineData(nameof(FaultyOs.TunSetVnetLe), "little-endian header flag")]
    public void StaleStateWarnings(string call, string what)
    {
        var k = new SimKernel(34);
        var os = new FaultyOs(k).Fail(call, Errno.EPERM);
        var r = Create(os, new NetStack(), "tap,id=t0,ifname=tap0,script=no,downscript=no");
        Assert.True(r.Ok, r.Error);
        var w = Assert.Single(k.Reports);
        Assert.Equal(Tap.Core.Os.DiagnosticKind.Warning, w.Kind);
        Assert.Equal($"could not clear the {what} a previous user may have left on the tap: Operation not permitted",
            w.Message);
    }

    [Theory(DisplayName = "D-21: EINVAL or ENOTTY from a stale-state clear is a kernel without the feature: no warning")]
    [InlineData(Errno.EINVAL)]
    [InlineData(Errno.ENOTTY)]
    public void StaleStateUnsupportedIsQuiet(Errno error)
    {
        var k = new SimKernel(35);
        var os = new FaultyOs(k)
            .Fail(nameof(FaultyOs.TunSetSteeringEbpf), error)
            .Fail(nameof(FaultyOs.TunSetFilterEbpf), error)
            .Fail(nameof(FaultyOs.TunClearTxFilter), error)
            .Fail(nameof(FaultyOs.TunDetachFilter), error)
            .Fail(nameof(FaultyOs.TunSetVnetLe), error);
        var r = Create(os, new NetStack(), "tap,id=t0,ifname=tap0,script=no,downscript=no");
        Assert.True(r.Ok, r.Error);
        Assert.Empty(k.Reports);
    }

    [Fact(DisplayName = "O36: vhost init failing reports the kernel's detail, then QEMU's message; nothing stays open")]
    public void VhostInitDetailReported()
    {
        var k = new SimKernel(36) { VhostPresent = true, VhostInitFailsFrom = 0 };
        var stack = new NetStack();
        var r = Create(k, stack, "tap,id=t0,ifname=tap0,script=no,downscript=no,vhost=on");
        Assert.Equal("vhost-net requested but could not be initialized", r.Error);
        var report = Assert.Single(k.Reports);
        Assert.Equal(Tap.Core.Os.DiagnosticKind.Error, report.Kind);
        Assert.Equal("vhost_get_features failed: Input/output error", report.Message);
        Assert.Equal(new[] { 0, 1, 2 }, k.OpenFds);
        Assert.Empty(stack.Clients);
    }

    [Fact(DisplayName = "D-1: sndbuf refused → QEMU's message, the tap fd closed once (by the deleted queue)")]
    public void FailedSetupClosesTheTapFdOnce()
    {
        var k = new SimKernel(37) { SndBufError = Errno.EPERM };
        var os = new FaultyOs(k);
        var stack = new NetStack();
        var r = Create(os, stack, "tap,id=t0,ifname=tap0,script=no,downscript=no,sndbuf=1000");
        Assert.Equal("TUNSETSNDBUF ioctl failed: Operation not permitted", r.Error);
        Assert.Equal(new[] { "close 3" }, os.FdLog.Where(l => l.StartsWith("close", StringComparison.Ordinal)));
        Assert.Equal(new[] { 0, 1, 2 }, k.OpenFds);
        Assert.Empty(stack.Clients);
    }

    [Fact(DisplayName = "D-1: the second of two queues failing its setup closes each tap fd once")]
    public void SecondQueueFailureClosesEachFdOnce()
    {
        var k = new SimKernel(38);
        var os = new FaultyOs(k).Fail(nameof(FaultyOs.TunSetSndBuf), Errno.EPERM, nth: 2);
        var stack = new NetStack();
        var r = Create(os, stack, "tap,id=t0,ifname=tap0,queues=2,script=no,downscript=no,sndbuf=1000");
        Assert.Equal("TUNSETSNDBUF ioctl failed: Operation not permitted", r.Error);
        Assert.Equal(new[] { "close 3", "close 4" },
            os.FdLog.Where(l => l.StartsWith("close", StringComparison.Ordinal)).Order());
        Assert.Equal(new[] { 0, 1, 2 }, k.OpenFds);
        Assert.Empty(stack.Clients);
    }
}
