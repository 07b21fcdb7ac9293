namespace Tap.Sim;

/// <summary>
/// One /dev/vhost-net instance (vhost-net §7), reduced to what the tap cares about: its owner state after init, the
/// busy-poll time the kernel was given, who owns the virtio-net header (§1), the tap queue attached by
/// VHOST_NET_SET_BACKEND, and a guest's two virtqueues as plain queues of chains. Memory tables, ring addresses,
/// eventfds and notification suppression are not modelled: a started device always has reachable rings.
/// </summary>
public sealed class SimVhostDevice
{
    private readonly Queue<byte[]> _guestTx = new();
    private readonly Queue<int> _guestRxBuffers = new();

    /// <summary>VHOST_SET_OWNER done by a successful init, undone by cleanup (vhost-net §3.1).</summary>
    public bool Initialised { get; internal set; }

    /// <summary>VHOST_SET_VRING_BUSYLOOP_TIMEOUT as the last successful init set it (poll-us=), in µs.</summary>
    public uint BusyloopTimeoutUs { get; internal set; }

    /// <summary>
    /// The tap puts its own header on every frame (VHOST_NET_F_VIRTIO_NET_HDR not acked, vhost-net §1): vhost
    /// passes it through. False: the tap has none and vhost strips and writes one of <see cref="GuestHeaderBytes"/>.
    /// </summary>
    public bool TapOwnsHeader { get; internal set; }

    /// <summary>
    /// The guest's header when vhost owns it (§5.4: 12 with VERSION_1 or mergeable buffers, else 10).
    /// </summary>
    public int GuestHeaderBytes { get; set; } = 12;

    /// <summary>The tap queue attached to both virtqueues (VHOST_NET_SET_BACKEND), or null.</summary>
    public SimTunQueue? Backend { get; internal set; }

    /// <summary>Chains the guest posted on the transmit virtqueue and the worker has not taken yet.</summary>
    public int GuestTxPending => _guestTx.Count;

    /// <summary>Receive buffers the guest posted and the worker has not filled yet.</summary>
    public int GuestRxBuffersFree => _guestRxBuffers.Count;

    /// <summary>What the worker put into the guest's receive buffers, one per used buffer, header first.</summary>
    public List<byte[]> GuestReceived { get; } = new();

    /// <summary>Transmit chains the tap accepted.</summary>
    public long TxSent { get; internal set; }

    /// <summary>
    /// Transmit chains completed without reaching the host: refused by the tap (EIO down, EINVAL short).
    /// </summary>
    public long TxDropped { get; internal set; }

    /// <summary>
    /// Transmit chains taken off the ring, never returned: nothing after a vhost-owned header (§5.5).
    /// </summary>
    public long TxRingErrors { get; internal set; }

    /// <summary>
    /// Frames read from the tap and dropped: the guest's buffer could not hold header and frame (§5.5).
    /// </summary>
    public long RxTooSmall { get; internal set; }

    /// <summary>
    /// The guest adds one chain (header then frame, as its driver lays them out) to the transmit virtqueue.
    /// </summary>
    public void GuestTransmit(ReadOnlySpan<byte> chain) => _guestTx.Enqueue(chain.ToArray());

    /// <summary>
    /// The guest posts <paramref name="count"/> writable buffers of <paramref name="bytes"/> each on the receive
    /// virtqueue.
    /// </summary>
    public void GuestPostRxBuffers(int count, int bytes)
    {
        for (int i = 0; i < count; i++)
        {
            _guestRxBuffers.Enqueue(bytes);
        }
    }

    internal bool TryPeekTx(out byte[] chain) => _guestTx.TryPeek(out chain!);

    internal void CompleteTx() => _guestTx.Dequeue();

    internal bool TryPeekRxBuffer(out int bytes) => _guestRxBuffers.TryPeek(out bytes);

    internal void UseRxBuffer(byte[] content)
    {
        _guestRxBuffers.Dequeue();
        GuestReceived.Add(content);
    }
}
