namespace Tap.Tests.Model.DataPath;

/// <summary>
/// A guest NIC: takes packets while it has credit (then returns 0, so the net layer queues), keeps what it took,
/// sends with a completion, and negotiates the header as virtio-net does (R30-R33).
/// </summary>
public sealed class DpGuest(DpNet net, string name, bool virtio) : DpClient(net, name, name)
{
    private int _credits = int.MaxValue;

    public bool Virtio { get; } = virtio;
    public override bool DoNotPad => Virtio;
    public override bool IsNic => true;

    /// <summary>Every packet taken, in order.</summary>
    public List<byte[]> Received { get; } = new();

    /// <summary>Lines for the event log: completions as they run.</summary>
    public List<string> Events { get; } = new();

    public void Refuse(int packets) => _credits = packets;

    public void Grant(int packets)
    {
        _credits = packets;
        DpNet.FlushQueuedPackets(this);
    }

    public void Open()
    {
        _credits = int.MaxValue;
        DpNet.FlushQueuedPackets(this);
    }

    public override int Receive(byte[] packet)
    {
        if (_credits <= 0)
        {
            return 0;
        }
        if (_credits != int.MaxValue)
        {
            _credits--;
        }
        Received.Add((byte[])packet.Clone());
        return packet.Length;
    }

    public int Transmit(byte[] packet) => Net.SendAsync(this, packet, wantsCompletion: true);

    public override void Completed(int length) => Events.Add($"{Label} completion {length}");

    public override void LinkStatusChanged() => Events.Add($"{Label} link {(LinkDown ? "down" : "up")}");

    /// <summary>Only a backend with a header can be negotiated with; set_vnet_hdr_len, set_offload, then LE.</summary>
    public bool Negotiate(int hdrLen, int offloads, bool le)
    {
        if (Peer is not DpTap tap || tap.HostVnetHdrLen == 0)
        {
            return false;
        }
        bool ok = tap.SetVnetHdrLen(hdrLen);
        tap.SetOffload(offloads);
        if (le)
        {
            tap.SetVnetLe(true);
        }
        return ok;
    }
}
