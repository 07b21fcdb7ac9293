using Tap.Core.Net;
using Tap.Tests.Core;

namespace Tap.Tests.Pins;

/// <summary>R20-R23 limits as numbers: the 50-frame budget counts dropped short reads too; a header is exactly 10 bytes.</summary>
public sealed class BackendDataPathPinsTests
{
    [Fact(DisplayName = "R22/R23b: short reads spend the 50-read budget too: 60 header-only reads go 50, then 10")]
    public void ShortReadsSpendTheBudget()
    {
        var rig = new SimRig();
        var peer = rig.Peer();
        for (int i = 0; i < 60; i++)
        {
            rig.Kernel.HostSend("tap0", ReadOnlySpan<byte>.Empty);
        }
        rig.Kernel.RunOnce();
        Assert.Equal(50, rig.Tap.Counters.Drops(DropReason.ShortRead));
        Assert.Equal(50, rig.Tap.FramesRead);
        rig.Kernel.RunOnce();
        Assert.Equal(60, rig.Tap.Counters.Drops(DropReason.ShortRead));
        Assert.Equal(0, peer.AcceptedPackets);
    }

    [Fact(DisplayName = "R20.3: one byte after the 10-byte header is a frame (padded to 60), not a short read")]
    public void OneByteFrame()
    {
        var rig = new SimRig();
        var peer = rig.Peer();
        rig.Kernel.HostSend("tap0", new byte[] { 0xab });
        rig.Kernel.RunOnce();
        var got = Assert.Single(peer.Received);
        Assert.Equal(60, got.Length);
        Assert.Equal(0xab, got[0]);
        Assert.Equal(0, rig.Tap.Counters.Drops(DropReason.ShortRead));
    }

    [Fact(DisplayName = "I8: a 60-byte frame reaches a padding peer as it is; 59 bytes are padded to 60")]
    public void PaddingBoundary()
    {
        var rig = new SimRig(vnetHdr: false);
        var peer = rig.Peer();
        rig.Kernel.HostSend("tap0", SimRig.Frame(60, 1));
        rig.Kernel.HostSend("tap0", SimRig.Frame(59, 2));
        rig.Kernel.RunOnce();
        Assert.Equal(new[] { 60, 60 }, peer.Received.Select(f => f.Length));
        Assert.Equal(SimRig.Frame(60, 1), peer.Received[0]);
        Assert.Equal(0, peer.Received[1][59]);
    }

    [Fact(DisplayName = "D-15: each new kind of write failure is reported once; the same kind again is only counted")]
    public void WriteFailureReportedPerKind()
    {
        var rig = new SimRig(up: false);
        var peer = rig.Peer();
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(-1, peer.Transmit(SimRig.Frame(60)));
        }
        Assert.Single(rig.Kernel.Reports);
        Assert.Equal("tap t0: dropping packets to the host: write failed: Input/output error", rig.Kernel.Reports[0].Message);
        rig.Kernel.SetLinkUp("tap0", true);
        Assert.Equal(-1, peer.Transmit(SimRig.Frame(4)));   // shorter than an Ethernet header: EINVAL, a new kind
        Assert.Equal(2, rig.Kernel.Reports.Count);
        Assert.Equal(4, rig.Tap.Counters.Drops(DropReason.WriteError));
    }
}
