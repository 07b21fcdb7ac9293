using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Sim;

namespace Tap.Tests.Pins;

/// <summary>
/// Q18 [seed] for a backend whose peer is a NIC: deleting the netdev by id only takes it off the list and takes the
/// NIC's link down; the tap keeps its fd and its down script until the NIC itself is deleted.
/// </summary>
public sealed class NicPeerDeletionTests
{
    private static (SimKernel Kernel, NetStack Stack, TapBackend Tap, SimGuestPeer Nic) TapWithNic()
    {
        var k = new SimKernel(3);
        k.Scripts["/sim/down"] = SimScript.Succeeds;
        var stack = new NetStack();
        var r = TapInit.Run(stack, k, new NetdevEnvironment(),
            new TapOptions { Id = "t0", Ifname = "tap0", Script = "no", Downscript = "/sim/down" });
        Assert.Null(r.Error);
        var tap = (TapBackend)Assert.Single(r.Created);
        var nic = new SimGuestPeer(stack, tap, "nic0", virtio: true);
        k.SetLinkUp("tap0", true);
        return (k, stack, tap, nic);
    }

    [Fact(DisplayName = "Q18 [seed]: netdev_del of a tap with a NIC peer unlinks it and tells the NIC, and nothing reaches the kernel")]
    public void DeleteByIdOnlyUnlinks()
    {
        var (k, stack, tap, nic) = TapWithNic();
        int before = k.Record.Lines.Count;

        stack.Delete(tap);

        Assert.Empty(k.Record.Lines.Skip(before));
        Assert.Null(stack.Find("t0"));
        Assert.Same(nic, stack.Find("nic0"));
        Assert.True(tap.IsOpen);
        Assert.False(tap.Deleted);
        Assert.Same(nic, tap.Peer);
        Assert.True(nic.LinkDown);
        Assert.Equal(new[] { true }, nic.LinkReports);
    }

    [Fact(DisplayName = "Q18 [seed]: until the NIC goes the tap still reads, and the frames are dropped at the link-down NIC")]
    public void UnlinkedTapKeepsReading()
    {
        var (k, stack, tap, nic) = TapWithNic();
        stack.Delete(tap);

        Assert.True(k.HostSend("tap0", new byte[100]));
        k.Dispatch(tap.Fd);

        Assert.Empty(nic.Received);
        Assert.Equal(1, tap.Counters.Drops(DropReason.ReceiverLinkDown));
        Assert.Equal(100, nic.Transmit(new byte[100]));
        Assert.Equal(1, nic.Counters.Drops(DropReason.NoPeer));
    }

    [Fact(DisplayName = "Q18 [seed]: a second netdev_del while the NIC waits does nothing (no second report, no cleanup)")]
    public void SecondDeleteIsANoOp()
    {
        var (k, stack, tap, nic) = TapWithNic();
        stack.Delete(tap);
        int before = k.Record.Lines.Count;

        stack.Delete(tap);

        Assert.Empty(k.Record.Lines.Skip(before));
        Assert.Equal(new[] { true }, nic.LinkReports);
        Assert.True(tap.IsOpen);
    }

    [Fact(DisplayName = "Q18 [seed]: deleting the NIC then cleans the tap up: down script, watch off, close; both freed")]
    public void NicDeletionCleansUpTheBackend()
    {
        var (k, stack, tap, nic) = TapWithNic();
        stack.Delete(tap);
        int before = k.Record.Lines.Count;

        stack.Delete(nic);

        Assert.Equal(new[]
        {
            "RunScript \"/sim/down\" \"tap0\" 3 -> exited 0 -",
            "Watch 3 0 0",
            "Close 3 -> ok",
        }, k.Record.Lines.Skip(before));
        Assert.True(tap.Deleted);
        Assert.True(nic.Deleted);
        Assert.Null(tap.Peer);
        Assert.Null(nic.Peer);
        Assert.Empty(stack.Clients);
    }

    [Fact(DisplayName = "Q18: a NIC deleted while its tap lives leaves the tap running without a peer; its later delete cleans up at once")]
    public void NicFirstThenTap()
    {
        var (k, stack, tap, nic) = TapWithNic();
        stack.Delete(nic);

        Assert.True(nic.Deleted);
        Assert.Null(tap.Peer);
        Assert.True(tap.IsOpen);
        Assert.Empty(nic.LinkReports);

        int before = k.Record.Lines.Count;
        stack.Delete(tap);
        Assert.Equal(new[]
        {
            "RunScript \"/sim/down\" \"tap0\" 3 -> exited 0 -",
            "Watch 3 0 0",
            "Close 3 -> ok",
        }, k.Record.Lines.Skip(before));
    }

    [Fact(DisplayName = "Q18: orderly shutdown runs the postponed cleanup when the NIC's turn comes; nothing is left open")]
    public void DeleteAllRunsThePostponedCleanup()
    {
        var (k, stack, tap, nic) = TapWithNic();
        stack.Delete(tap);

        stack.DeleteAll();

        Assert.False(tap.IsOpen);
        Assert.True(tap.Deleted);
        Assert.True(nic.Deleted);
        Assert.Single(k.Record.Lines, l => l.StartsWith("RunScript \"/sim/down\" \"tap0\"", StringComparison.Ordinal));
    }
}
