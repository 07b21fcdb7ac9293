namespace Tap.Tests.Model.DataPath;

/// <summary>
/// One step of a data-path workload. The same step is applied to the reference model and to the real core on the
/// simulated kernel. Frames are made from <c>Salt</c> by <see cref="DataPathFrames"/>, so both sides send the same bytes.
/// </summary>
public abstract record DataPathOp
{
    /// <summary>The host sends <paramref name="Count"/> frames out of queue <paramref name="Queue"/> of netdev <paramref name="Dev"/>'s tap.</summary>
    public sealed record HostSend(int Dev, int Queue, int Length, int Count, int Salt, bool WithHeader) : DataPathOp;

    /// <summary><paramref name="Rounds"/> times: the host sends 50 small frames, then the loop services the queue's fd.</summary>
    public sealed record Flood(int Dev, int Queue, int Rounds, int Length, int Salt) : DataPathOp;

    /// <summary>The main loop services one tap fd (readable, then writable).</summary>
    public sealed record Service(int Dev, int Queue) : DataPathOp;

    /// <summary>One main-loop iteration that services every tap fd in <paramref name="Order"/> (indices into all queues).</summary>
    public sealed record ServiceAll(int[] Order) : DataPathOp
    {
        public override string ToString() => $"ServiceAll [{string.Join(",", Order)}]";
    }

    /// <summary>The host takes what was written to a queue, which frees its send buffer.</summary>
    public sealed record HostDrain(int Dev, int Queue) : DataPathOp;

    /// <summary><c>ip link set tap&lt;j&gt; up|down</c>.</summary>
    public sealed record Link(int Dev, bool Up) : DataPathOp;

    /// <summary>Guest NIC accepts <paramref name="Packets"/> more packets, then refuses.</summary>
    public sealed record GuestRefuse(int Guest, int Packets) : DataPathOp;

    /// <summary>Guest NIC accepts <paramref name="Packets"/> more and asks for queued ones (Q13).</summary>
    public sealed record GuestGrant(int Guest, int Packets) : DataPathOp;

    /// <summary>Guest NIC accepts everything again and asks for queued ones (Q13).</summary>
    public sealed record GuestOpen(int Guest) : DataPathOp;

    /// <summary>Guest sends a packet of <paramref name="Length"/> bytes towards the host, with a completion.</summary>
    public sealed record GuestTransmit(int Guest, int Length, int Salt) : DataPathOp;

    /// <summary>Enable a disabled queue or disable an enabled one (R26, R27).</summary>
    public sealed record Toggle(int Dev, int Queue) : DataPathOp;

    /// <summary>R25 <c>poll(enable)</c>, as vhost calls it when it takes the data path over or gives it back.</summary>
    public sealed record Poll(int Dev, int Queue, bool Enable) : DataPathOp;

    /// <summary>virtio-net negotiation: set_vnet_hdr_len, set_offload(mask), set_vnet_le(true) if <paramref name="Le"/>.</summary>
    public sealed record Negotiate(int Guest, int HdrLen, int OffloadMask, bool Le) : DataPathOp;

    /// <summary>The next read (or write) on the queue's fd fails with <paramref name="Errno"/> without reaching the kernel.</summary>
    public sealed record Fault(int Dev, int Queue, bool OnWrite, string Errno) : DataPathOp;

    /// <summary>netdev_del: every queue of the netdev goes (Q18, R40) while traffic may be queued anywhere.</summary>
    public sealed record DeleteNetdev(int Dev) : DataPathOp;

    /// <summary><c>ip link del</c> under the backend: the fd reports EBADFD for good (D-17).</summary>
    public sealed record DeleteDevice(int Dev) : DataPathOp;

    /// <summary>
    /// The guest's NIC is deleted (device_del), all its queues, one guest per queue: a backend whose deletion waited
    /// for it is cleaned up then (Q18 [seed]).
    /// </summary>
    public sealed record DeleteNic : DataPathOp;

    /// <summary>The VM stops (Q15: every client is flushed, what stays is purged) or starts (Q15: peers are flushed).</summary>
    public sealed record Vm(bool Running) : DataPathOp;

    /// <summary>
    /// Liveness: faults stop, guests open, links come up, queues are enabled, then rounds of "the host drains every
    /// queue, the loop services every fd in order" until a round dispatches nothing.
    /// </summary>
    public sealed record Settle : DataPathOp;

    /// <summary>Orderly shutdown: every client deleted in creation order (Q18, R40).</summary>
    public sealed record Teardown : DataPathOp;
}
