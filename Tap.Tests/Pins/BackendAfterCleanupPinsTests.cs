using System.Runtime.CompilerServices;
using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Sim;
using Tap.Tests.Core;

namespace Tap.Tests.Pins;

/// <summary>
/// A deleted or broken queue leaves the kernel alone, and a deleted one leaves nothing behind in the stack
/// (mutation run B's Backend survivors).
/// </summary>
public sealed class BackendAfterCleanupPinsTests
{
    [Fact(DisplayName = "D-17: once the device is gone, later packets are refused without another write to the fd")]
    public void BrokenQueueWritesNoMore()
    {
        var rig = new SimRig();
        rig.Device.Deleted = true;
        Assert.Equal(-1, rig.Tap.Receive(SimRig.Frame(60)));
        int writes = Writes(rig.Kernel);
        Assert.Equal(1, writes);

        Assert.Equal(-1, rig.Tap.Receive(SimRig.Frame(60)));
        Assert.Equal(-1, rig.Tap.Receive(SimRig.Frame(60)));

        Assert.Equal(1, Writes(rig.Kernel));
        Assert.Equal(3, rig.Tap.Counters.Drops(DropReason.WriteError));
    }

    [Fact(DisplayName = "R40: a readiness event that reaches a deleted queue (same epoll batch) makes no kernel call")]
    public void ReadableAfterCleanup()
    {
        var rig = new SimRig();
        rig.Kernel.HostSend("tap0", SimRig.Frame(60));
        rig.Stack.Delete(rig.Tap);
        int lines = rig.Kernel.Record.Lines.Count;

        rig.Tap.OnReadable();
        Assert.Equal(-1, rig.Tap.Receive(SimRig.Frame(60)));

        Assert.Equal(lines, rig.Kernel.Record.Lines.Count);
        Assert.Equal(0, rig.Tap.FramesRead);
        Assert.Equal(0, rig.Tap.Counters.Drops(DropReason.ReadError));
        Assert.Empty(rig.Kernel.Reports);
    }

    [Fact(DisplayName = "R25a/R40: vhost cannot start on a deleted queue that had vhost running: -EINVAL (-22)")]
    public void VhostStartAfterCleanup()
    {
        var (k, stack, tap) = VhostTap();
        Assert.Equal(0, tap.VhostStart());
        stack.Delete(tap);
        int lines = k.Record.Lines.Count;

        Assert.Equal(-22, tap.VhostStart());
        Assert.Equal(lines, k.Record.Lines.Count);
    }

    [Fact(DisplayName = "R25b: a detach the kernel refuses is returned as -errno (EBADF -9); "
        + "the data path comes back anyway")]
    public void VhostStopFailureReturned()
    {
        var (k, _, tap) = VhostTap();
        Assert.Equal(0, tap.VhostStart());
        Assert.True(k.Close(tap.VhostFd!.Value).Ok); // the fd goes under the backend: the detach gets EBADF

        Assert.Equal(-9, tap.VhostStop());
        Assert.Equal((true, true), k.InterestOf(tap.Fd)); // R25: poll on, read and write
    }

    [Fact(DisplayName = "I11: a tap with downscript=no has neither a down script nor its argument")]
    public void NoDownScript()
    {
        var rig = new SimRig();
        Assert.Equal("", rig.Tap.DownScript);
        Assert.Equal("", rig.Tap.DownScriptArg);
    }

    [Fact(DisplayName = "R40 step 4: a deleted tap is no exit notifier any more, so the stack does not keep it alive")]
    public void DeletedTapNotKeptAlive()
    {
        var stack = new NetStack();
        var k = new SimKernel(5);
        var gone = CreateAndDelete(stack, k);
        for (int i = 0; i < 3 && gone.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.False(gone.IsAlive, "the deleted tap is still referenced (by the stack's exit notifiers?)");
        GC.KeepAlive(stack);
        GC.KeepAlive(k);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference CreateAndDelete(NetStack stack, SimKernel k)
    {
        var r = TapInit.Run(stack, k, new NetdevEnvironment(),
            new TapOptions { Id = "t0", Script = "no", Downscript = "no" });
        Assert.Null(r.Error);
        var tap = r.Created[0];
        stack.Delete(tap);
        return new WeakReference(tap);
    }

    private static (SimKernel K, NetStack Stack, TapBackend Tap) VhostTap()
    {
        var k = new SimKernel(11) { VhostPresent = true };
        var stack = new NetStack();
        var r = TapInit.Run(stack, k, new NetdevEnvironment(), new TapOptions
        {
            Id = "v0", Ifname = "vh0", Script = "no", Downscript = "no", Vhost = true,
        });
        Assert.Null(r.Error);
        k.SetLinkUp("vh0", true);
        return (k, stack, (TapBackend)r.Created[0]);
    }

    private static int Writes(SimKernel k) =>
        k.Record.Lines.Count(l => l.StartsWith("Write ", StringComparison.Ordinal));
}
