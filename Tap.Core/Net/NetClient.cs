using System.Runtime.CompilerServices;
using Tap.Core.Abi;

namespace Tap.Core.Net;

/// <summary>
/// A net client: a backend queue, a NIC queue or a hub port (Q1-Q3). Subclasses implement <see cref="Receive"/>
/// and whichever optional operations they have; a missing operation behaves as QEMU's net-layer wrappers say (Q19).
/// </summary>
public abstract class NetClient
{
    private byte[]? _rawScratch;

    /// <summary>Creates the client and links it with <paramref name="peer"/> (Q1).</summary>
    protected NetClient(NetStack stack, NetClient? peer, string model, string name)
    {
        Stack = stack;
        Model = model;
        Name = name;
        IncomingQueue = new SendQueue(this);
        stack.Register(this, peer);
    }

    /// <summary>The net layer this client belongs to.</summary>
    public NetStack Stack { get; }

    /// <summary>The netdev id (shared by every queue of a multiqueue backend, Q2).</summary>
    public string Name { get; }

    /// <summary>Driver model: <c>tap</c>, <c>bridge</c>, <c>hubport</c>, ...</summary>
    public string Model { get; }

    /// <summary>The peer, or null.</summary>
    public NetClient? Peer { get; internal set; }

    /// <summary>Packets waiting to be delivered to this client (Q7).</summary>
    public SendQueue IncomingQueue { get; }

    /// <summary>Set when this client's receive returned 0; cleared by a flush of this client (Q13).</summary>
    public bool ReceiveDisabled { get; internal set; }

    /// <summary>Administrative link state.</summary>
    public bool LinkDown { get; set; }

    /// <summary>Text shown by <c>info network</c> (at most 255 characters).</summary>
    public string InfoStr { get; private set; } = "";

    /// <summary>The net-level copy of the vnet header length last set through the net layer (Q19).</summary>
    public int VnetHdrLen { get; private set; }

    /// <summary>True only for peers that must not be handed padded frames (virtio-net, Q16).</summary>
    public virtual bool DoNotPad => false;

    /// <summary>True for NIC-like clients (affects deletion, Q18).</summary>
    public virtual bool IsNic => false;

    /// <summary>A capture of this client's traffic in both directions (QEMU's filter-dump), or null.</summary>
    public IPacketObserver? Observer { get; set; }

    /// <summary>The rate limit on frames this client receives from its peer, or null (docs/rate-limits.md).</summary>
    public RateLimit.RateLimiter? RxLimit { get; internal set; }

    /// <summary>The rate limit on frames this client sends to its peer, or null (docs/rate-limits.md).</summary>
    public RateLimit.RateLimiter? TxLimit { get; internal set; }

    /// <summary>Packet accounting for this client.</summary>
    public NetCounters Counters { get; } = new();

    /// <summary>True once the client was deleted: it must never be used again.</summary>
    public bool Deleted { get; internal set; }

    /// <summary>
    /// On a NIC: its peer was deleted by id, so the peer is unlinked but lives on (its cleanup, down script
    /// included, waits) until this NIC is deleted (Q18 [seed]).
    /// </summary>
    public bool PeerDeleted { get; internal set; }

    /// <summary>
    /// Told that the net layer changed <see cref="LinkDown"/> under the client (QEMU's link_status_changed):
    /// a NIC whose backend is deleted by id hears it this way (Q18). Clients without the operation ignore it.
    /// </summary>
    public virtual void LinkStatusChanged()
    {
    }

    /// <summary>Sets the info string, cut to QEMU's 255 bytes (UTF-8) at a character boundary.</summary>
    public void SetInfoStr(string text)
    {
        const int MaxInfoBytes = 255;
        if (System.Text.Encoding.UTF8.GetByteCount(text) <= MaxInfoBytes)
        {
            InfoStr = text;
            return;
        }
        var sb = new System.Text.StringBuilder();
        int bytes = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > MaxInfoBytes)
            {
                break;
            }
            bytes += rune.Utf8SequenceLength;
            sb.Append(rune.ToString());
        }
        InfoStr = sb.ToString();
    }

    /// <summary>
    /// Takes one packet from the net layer: &gt; 0 taken, 0 busy (queue it), &lt; 0 failed (drop it).
    /// </summary>
    public abstract int Receive(ReadOnlySpan<byte> packet);

    /// <summary>
    /// Optional can-receive operation (Q4); the net layer checks <see cref="ReceiveDisabled"/> first.
    /// </summary>
    protected internal virtual bool CanReceiveNow() => true;

    /// <summary>Releases the client's resources when the net layer deletes it (R40).</summary>
    protected internal virtual void Cleanup()
    {
    }

    /// <summary>
    /// Q10.3 [seed]: a raw packet gets <see cref="VnetHdrLen"/> zero bytes in front. Rare (announce-self only).
    /// </summary>
    internal int ReceiveRaw(ReadOnlySpan<byte> packet)
    {
        int total = VnetHdrLen + packet.Length;
        if (total > NetLimits.NetBufSizeBytes)
        {
            Counters.CountDrop(DropReason.Oversize);
            return -1;
        }

        _rawScratch ??= new byte[NetLimits.NetBufSizeBytes];
        _rawScratch.AsSpan(0, VnetHdrLen).Clear();
        packet.CopyTo(_rawScratch.AsSpan(VnetHdrLen));
        return Receive(_rawScratch.AsSpan(0, total));
    }

    /// <summary>
    /// Q6: send to the peer; &gt; 0 delivered, 0 queued (wait for <paramref name="completion"/>), &lt; 0 dropped.
    /// </summary>
    // Inlined, with the queue's send and delivery, into the tap's read loop and the hub's forward, so that the
    // tap's write(2) returns through as few frames as possible (docs/performance.md#call-depth).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int SendAsync(ReadOnlySpan<byte> packet, INetCompletion? completion, PacketFlags flags = PacketFlags.None)
    {
        Counters.CountSent(packet.Length);
        Observer?.OnPacket(this, packet, outgoing: true);
        if (LinkDown || Peer is null)
        {
            Counters.CountDrop(DropReason.NoPeer);
            return packet.Length;
        }
        Peer.Observer?.OnPacket(Peer, packet, outgoing: false);

        if (packet.Length > NetLimits.NetBufSizeBytes)
        {
            Counters.CountDrop(DropReason.Oversize);
            return -1;
        }

        return Peer.IncomingQueue.Send(this, flags, packet, completion);
    }

    /// <summary>Q6 without a completion (qemu_send_packet).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // as SendAsync
    public int Send(ReadOnlySpan<byte> packet) => SendAsync(packet, null);

    /// <summary>Q13: this client can take packets again.</summary>
    public void FlushQueuedPackets()
    {
        ReceiveDisabled = false;
        if (Peer is HubPort port)
        {
            port.Hub.FlushOtherPorts(port);
        }
        IncomingQueue.Flush();
    }

    /// <summary>
    /// Q13 with purge: flush, then drop (completing with 0) what the peer left in this client's queue.
    /// </summary>
    public void FlushOrPurgeQueuedPackets()
    {
        FlushQueuedPackets();
        if (IncomingQueue.Count > 0 && Peer is { } peer)
        {
            IncomingQueue.Purge(peer);
        }
    }

    /// <summary>Q12: drop what this client sent that still waits at its peer, completing each with 0.</summary>
    public void PurgeQueuedPackets() => Peer?.IncomingQueue.Purge(this);

    /// <summary>Q19: record the length and pass it to the backend operation, if there is one.</summary>
    public bool SetVnetHdrLen(int len)
    {
        if (!VirtioNetHeader.IsValidLength(len))
        {
            throw new ArgumentOutOfRangeException(nameof(len), len, "the net layer passes only 10, 12 or 20");
        }
        VnetHdrLen = len;
        return SetVnetHdrLenCore(len);
    }

    /// <summary>
    /// Backend operation behind <see cref="SetVnetHdrLen"/>; false when the backend could not apply it.
    /// </summary>
    protected virtual bool SetVnetHdrLenCore(int len) => true;

    /// <summary>Whether the backend can take UFO frames (false when it lacks the operation).</summary>
    public virtual bool HasUfo => false;

    /// <summary>Whether the backend can take USO frames (false when it lacks the operation).</summary>
    public virtual bool HasUso => false;

    /// <summary>Whether the backend carries a vnet header.</summary>
    public virtual bool HasVnetHdr => false;

    /// <summary>Whether the backend can use a header of <paramref name="len"/> bytes.</summary>
    public virtual bool HasVnetHdrLen(int len) => false;

    /// <summary>Sets the offloads the peer accepts (ignored by clients without the operation).</summary>
    public virtual void SetOffload(TunOffload offload)
    {
    }

    /// <summary>Little-endian header fields: 0, -22 (not supported) or another negative errno.</summary>
    public virtual int SetVnetLe(bool on) => 0;

    /// <summary>Big-endian header fields: 0, -22 (not supported) or another negative errno.</summary>
    public virtual int SetVnetBe(bool on) => 0;
}
