using Tap.Core.Abi;
using Tap.Core.Net;

namespace Tap.Sim;

/// <summary>
/// A simulated guest NIC on the other side of a backend: it accepts packets, or refuses them (the net layer then
/// queues them) until the test opens it again; it pads or not (virtio-net does not, Q16); it can negotiate the
/// header length, offloads and endianness the way virtio-net does; and it sends packets towards the host.
/// </summary>
public sealed class SimGuestPeer : NetClient, INetCompletion
{
    private readonly bool _virtio;
    private readonly List<byte[]> _received = new();
    private int _credits = int.MaxValue;

    /// <summary>
    /// Creates the NIC peered with <paramref name="backend"/>; <paramref name="virtio"/> means no padding.
    /// </summary>
    public SimGuestPeer(NetStack stack, NetClient? backend, string name, bool virtio)
        : base(stack, backend, virtio ? "virtio-net" : "e1000", name)
    {
        _virtio = virtio;
    }

    /// <inheritdoc/>
    public override bool DoNotPad => _virtio;

    /// <inheritdoc/>
    public override bool IsNic => true;

    /// <summary>When true (the default) a copy of every accepted packet is kept; benchmarks turn it off.</summary>
    public bool KeepCopies { get; set; } = true;

    /// <summary>Copies of the packets accepted, in order (when <see cref="KeepCopies"/>).</summary>
    public IReadOnlyList<byte[]> Received => _received;

    /// <summary>Packets accepted.</summary>
    public long AcceptedPackets { get; private set; }

    /// <summary>Bytes accepted.</summary>
    public long AcceptedBytes { get; private set; }

    /// <summary>Completions the net layer ran for packets this peer sent and had queued: (length) in order.</summary>
    public List<int> Completions { get; } = new();

    /// <summary>
    /// What the net layer reported through <see cref="LinkStatusChanged"/>, in order: true for down (Q18).
    /// </summary>
    public List<bool> LinkReports { get; } = new();

    /// <inheritdoc/>
    public override void LinkStatusChanged() => LinkReports.Add(LinkDown);

    /// <summary>Sends whose result was 0 (queued) and whose completion has not run yet.</summary>
    public int PendingSends { get; private set; }

    /// <summary>Accept at most <paramref name="packets"/> more packets, then refuse (return 0).</summary>
    public void Refuse(int packets = 0) => _credits = packets;

    /// <summary>Accept everything again and ask the net layer to deliver what it queued (Q13).</summary>
    public void Open()
    {
        _credits = int.MaxValue;
        FlushQueuedPackets();
    }

    /// <summary>Accept <paramref name="packets"/> more, then refuse again; delivers queued packets (Q13).</summary>
    public void Grant(int packets)
    {
        _credits = packets;
        FlushQueuedPackets();
    }

    /// <inheritdoc/>
    public override int Receive(ReadOnlySpan<byte> packet)
    {
        if (_credits <= 0)
        {
            return 0;
        }
        if (_credits != int.MaxValue)
        {
            _credits--;
        }
        AcceptedPackets++;
        AcceptedBytes += packet.Length;
        if (KeepCopies)
        {
            _received.Add(packet.ToArray());
        }
        return packet.Length;
    }

    /// <summary>
    /// Guest → host: send through the backend with a completion, as virtio-net's transmit path does.
    /// </summary>
    public int Transmit(ReadOnlySpan<byte> packet)
    {
        int r = SendAsync(packet, this);
        if (r == 0)
        {
            PendingSends++;
        }
        return r;
    }

    /// <inheritdoc/>
    public void OnSendCompleted(NetClient sender, int length)
    {
        PendingSends--;
        Completions.Add(length);
    }

    /// <summary>virtio-net feature negotiation as seen by the backend: header length, offloads, endianness.</summary>
    public bool Negotiate(int vnetHdrLen, TunOffload offloads, bool littleEndian)
    {
        if (Peer is null || !Peer.HasVnetHdr)
        {
            return false;
        }
        bool ok = Peer.SetVnetHdrLen(vnetHdrLen);
        Peer.SetOffload(offloads);
        if (littleEndian)
        {
            Peer.SetVnetLe(true);
        }
        return ok;
    }
}
