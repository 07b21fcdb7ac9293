using Tap.Core.Abi;
using Tap.Core.Net;
using Tap.Sim;
using Tap.Tests.Core;

namespace Tap.Tests.Pins;

/// <summary>Net-layer accounting, captures and limits, with the numbers written out (Q6, Q10, Q17, info network).</summary>
public sealed class NetClientPinsTests
{
    private sealed class Capture : IPacketObserver
    {
        public List<(string Client, int Length, bool Outgoing)> Seen { get; } = new();

        public void OnPacket(NetClient client, ReadOnlySpan<byte> packet, bool outgoing) => Seen.Add((client.Name, packet.Length, outgoing));
    }

    [Fact(DisplayName = "info network: 255 bytes are kept whole; a longer string is cut at a character boundary at or below 255 bytes")]
    public void InfoStrCut()
    {
        var c = new ScriptedClient(new NetStack(), null, "a");
        string exact = new('x', 255);
        c.SetInfoStr(exact);
        Assert.Equal(exact, c.InfoStr);
        c.SetInfoStr(new string('y', 300));
        Assert.Equal(new string('y', 255), c.InfoStr);
        // 254 one-byte characters then a two-byte 'é': 256 bytes, so the 'é' goes and 254 bytes remain.
        c.SetInfoStr(new string('z', 254) + "é" + "tail");
        Assert.Equal(new string('z', 254), c.InfoStr);
        // 253 + 'é' = 255 bytes exactly fits.
        c.SetInfoStr(new string('z', 253) + "é" + "tail");
        Assert.Equal(new string('z', 253) + "é", c.InfoStr);
    }

    [Fact(DisplayName = "Q6/Q10: sent counts at the sender, received at the receiver, packets and bytes")]
    public void Counters()
    {
        var stack = new NetStack();
        var a = new ScriptedClient(stack, null, "a");
        var b = new ScriptedClient(stack, a, "b");
        Assert.Equal(40, a.Send(ScriptedClient.Frame(1, 40)));
        Assert.Equal(24, a.Send(ScriptedClient.Frame(2, 24)));
        Assert.Equal((2L, 64L), (a.Counters.SentPackets, a.Counters.SentBytes));
        Assert.Equal((2L, 64L), (b.Counters.ReceivedPackets, b.Counters.ReceivedBytes));
        Assert.Equal((0L, 0L), (a.Counters.ReceivedPackets, b.Counters.SentPackets));
        Assert.Equal(0, a.Counters.TotalDrops);
        b.NextResult = -1;
        Assert.Equal(-1, a.Send(ScriptedClient.Frame(3, 10)));
        Assert.Equal(1, a.Counters.Drops(DropReason.Rejected));
        Assert.Equal(1, a.Counters.TotalDrops);
        Assert.Equal(2, b.Counters.ReceivedPackets);
    }

    [Fact(DisplayName = "filter-dump: the sender's capture sees it outgoing, the receiver's incoming, even when then dropped as oversize")]
    public void ObserverDirections()
    {
        var stack = new NetStack();
        var a = new ScriptedClient(stack, null, "a");
        var b = new ScriptedClient(stack, a, "b");
        var ca = new Capture();
        var cb = new Capture();
        a.Observer = ca;
        b.Observer = cb;
        a.Send(ScriptedClient.Frame(1, 30));
        b.Send(ScriptedClient.Frame(2, 20));
        a.Send(new byte[69633]);
        Assert.Equal(new[] { ("a", 30, true), ("a", 20, false), ("a", 69633, true) }, ca.Seen);
        Assert.Equal(new[] { ("b", 30, false), ("b", 20, true), ("b", 69633, false) }, cb.Seen);
        Assert.Equal(2, b.Got.Count + a.Got.Count);
    }

    [Fact(DisplayName = "Q10.3/Q17: a raw packet whose header makes it longer than 69632 bytes is dropped with -1 and counted")]
    public void RawOversize()
    {
        var stack = new NetStack();
        var a = new ScriptedClient(stack, null, "a");
        var b = new ScriptedClient(stack, a, "b");
        b.SetVnetHdrLen(12);
        Assert.Equal(69632, a.SendAsync(new byte[69620], null, PacketFlags.Raw));
        Assert.Equal(69632, Assert.Single(b.Got).Length);
        Assert.Equal(-1, a.SendAsync(new byte[69621], null, PacketFlags.Raw));
        Assert.Single(b.Got);
        Assert.Equal(1, b.Counters.Drops(DropReason.Oversize));
        Assert.Equal(1, a.Counters.Drops(DropReason.Rejected));
    }

    [Fact(DisplayName = "Q6: a sender whose link is down drops what it sends (counted, no peer sees it) and reports it taken")]
    public void SenderLinkDown()
    {
        var stack = new NetStack();
        var a = new ScriptedClient(stack, null, "a") { LinkDown = true };
        var b = new ScriptedClient(stack, a, "b");
        Assert.Equal(16, a.Send(ScriptedClient.Frame(1, 16)));
        Assert.Empty(b.Got);
        Assert.Equal(1, a.Counters.Drops(DropReason.NoPeer));
    }

    [Fact(DisplayName = "info network: a client that never set its text shows an empty one")]
    public void InfoStrEmptyAtFirst()
    {
        var stack = new NetStack();
        Assert.Equal("", new ScriptedClient(stack, null, "a").InfoStr);
        Assert.Equal("", stack.GetOrCreateHub(0).AddPort(null, null).InfoStr);
    }

    [Fact(DisplayName = "Q10.3: a raw frame's header is all zero bytes, also when the header grew from 10 to 12 over an earlier raw frame")]
    public void RawHeaderZeroAfterGrowth()
    {
        var stack = new NetStack();
        var a = new ScriptedClient(stack, null, "a");
        var b = new ScriptedClient(stack, a, "b");
        b.SetVnetHdrLen(10);
        Assert.Equal(70, a.SendAsync(ScriptedClient.Frame(0xAA, 60), null, PacketFlags.Raw));
        b.SetVnetHdrLen(12);
        Assert.Equal(72, a.SendAsync(ScriptedClient.Frame(0xBB, 60), null, PacketFlags.Raw));
        Assert.Equal(new byte[10], b.Got[0][..10]);
        Assert.Equal(new byte[12], b.Got[1][..12]);
        Assert.Equal(ScriptedClient.Frame(0xBB, 60), b.Got[1][12..]);
    }

    [Fact(DisplayName = "Q10.3: raw frames reuse one scratch buffer: ten more 1500-byte raw frames allocate less than one 69632-byte buffer")]
    public void RawScratchReused()
    {
        var stack = new NetStack();
        var a = new ScriptedClient(stack, null, "a");
        var guest = new SimGuestPeer(stack, a, "nic", virtio: true) { KeepCopies = false };
        guest.SetVnetHdrLen(12);
        var frame = new byte[1500];
        Assert.Equal(1512, a.SendAsync(frame, null, PacketFlags.Raw));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            a.SendAsync(frame, null, PacketFlags.Raw);
        }
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(11 * 1512, guest.AcceptedBytes);
        Assert.True(bytes < 69632, $"{bytes} bytes allocated for ten raw frames");
    }

    [Fact(DisplayName = "Q19: a client without the header operations (a hub port) has no header, lengths, UFO or USO; a virtio guest on it negotiates none")]
    public void NoHeaderOperations()
    {
        var stack = new NetStack();
        var port = stack.GetOrCreateHub(0).AddPort("p", null);
        var guest = new SimGuestPeer(stack, port, "nic", virtio: true);
        Assert.False(guest.Negotiate(12, TunOffload.Csum, littleEndian: true));
        Assert.Equal(0, port.VnetHdrLen);
        Assert.False(port.HasVnetHdr);
        Assert.False(port.HasVnetHdrLen(10));
        Assert.False(port.HasVnetHdrLen(12));
        Assert.False(port.HasUfo);
        Assert.False(port.HasUso);
        Assert.True(port.SetVnetHdrLen(12));   // nothing refuses it: QEMU ignores the call for a client without it
    }

    [Fact(DisplayName = "Q19: a header length other than 10, 12 or 20 is a programming error that says which lengths exist, and changes nothing")]
    public void BadHeaderLength()
    {
        var b = new ScriptedClient(new NetStack(), null, "b");
        b.SetVnetHdrLen(12);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => b.SetVnetHdrLen(11));
        Assert.Contains("10, 12 or 20", ex.Message);
        Assert.Equal(12, b.VnetHdrLen);
    }
}
