namespace Tap.Tests.Model.DataPath;

/// <summary>A net client of the model (net-queue.md Q1-Q3): its peer, its incoming queue, and what it lost, by reason.</summary>
public abstract class DpClient(DpNet net, string name, string label)
{
    public DpNet Net { get; } = net;

    /// <summary>The netdev id (shared by the queues of a multiqueue tap, Q2).</summary>
    public string Name { get; } = name;

    /// <summary>Unique name in observations (<c>t0/1</c> for queue 1 of t0).</summary>
    public string Label { get; } = label;

    public DpClient? Peer { get; set; }
    public List<DpPacket> Incoming { get; } = new();
    public bool ReceiveDisabled { get; set; }
    public bool Delivering { get; set; }
    public bool Deleted { get; set; }

    /// <summary>Administrative link state (Q3); a tap whose interface is gone takes its link down (D-17).</summary>
    public bool LinkDown { get; set; }

    /// <summary>Packets lost, by the reason names the product counts them under.</summary>
    public SortedDictionary<string, long> Drops { get; } = new(StringComparer.Ordinal);

    /// <summary>Virtio-net NICs do not want padded frames (Q16).</summary>
    public virtual bool DoNotPad => false;

    /// <summary>NIC clients are not deleted together with a backend's name (Q18).</summary>
    public virtual bool IsNic => false;

    /// <summary>On a NIC: the backend on the other side was deleted by id and waits for this NIC to go (Q18 [seed]).</summary>
    public bool BackendWaiting { get; set; }

    /// <summary>The net layer took the link down under the client and told it (QEMU's link_status_changed).</summary>
    public virtual void LinkStatusChanged()
    {
    }

    public void Drop(string reason) => Drops[reason] = Drops.GetValueOrDefault(reason) + 1;

    /// <summary>&gt; 0 taken, 0 busy, &lt; 0 failed.</summary>
    public abstract int Receive(byte[] packet);

    /// <summary>The client's own can-receive operation (Q4); hub ports have one (Q22).</summary>
    public virtual bool CanReceiveNow() => true;

    /// <summary>The completion of a packet this client sent and the net layer queued (Q14).</summary>
    public virtual void Completed(int length)
    {
    }

    /// <summary>Cleanup when the net layer deletes the client (R40).</summary>
    public virtual void Cleanup()
    {
    }
}
