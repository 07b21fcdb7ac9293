namespace Tap.Sim;

/// <summary>
/// One queue (one fd) of a simulated tap: its packet ring towards the user and its send-buffer accounting.
/// </summary>
public sealed class SimTunQueue
{
    private (byte[] Buffer, int Length, int HeaderLength)[] _ring = new (byte[], int, int)[16];
    private int _head;
    private int _count;

    private readonly SimBufferPool _pool;

    internal SimTunQueue(SimTunDevice device, SimBufferPool pool)
    {
        Device = device;
        _pool = pool;
    }

    public SimTunDevice Device { get; }

    /// <summary>Detached with TUNSETQUEUE: receives nothing, writes still go out.</summary>
    public bool Detached { get; internal set; }

    /// <summary>The flags this queue's TUNSETIFF asked for.</summary>
    public Tap.Core.Abi.TunFlags RequestedFlags { get; internal set; }

    /// <summary>TUNSETSNDBUF value (default INT_MAX).</summary>
    public int SndBuf { get; internal set; } = int.MaxValue;

    /// <summary>Bytes written and not yet taken by the host side (they count against <see cref="SndBuf"/>).</summary>
    public long InFlightBytes { get; internal set; }

    /// <summary>The vhost device whose worker owns this queue's data path (VHOST_NET_SET_BACKEND), or null.</summary>
    public SimVhostDevice? VhostOwner { get; internal set; }

    /// <summary>
    /// The process closed this queue's fd while a vhost worker held the tap file (vhost-net §8 item 1): the queue
    /// lives on until the worker lets go.
    /// </summary>
    internal bool FdClosed { get; set; }

    /// <summary>Frames waiting to be read.</summary>
    public int Pending => _count;

    /// <summary>Whole writes (header included) not yet drained by the host side, when kept.</summary>
    public List<byte[]> Transmitted { get; } = new();

    /// <summary>Writes accepted on this queue.</summary>
    public long WritesAccepted { get; internal set; }

    internal bool Enqueue(ReadOnlySpan<byte> header, ReadOnlySpan<byte> frame, int capacity)
    {
        if (_count >= capacity)
        {
            return false;
        }
        if (_count == _ring.Length)
        {
            var bigger = new (byte[], int, int)[_ring.Length * 2];
            for (int i = 0; i < _count; i++)
            {
                bigger[i] = _ring[(_head + i) % _ring.Length];
            }
            _ring = bigger;
            _head = 0;
        }
        var buffer = _pool.Rent(header.Length + frame.Length);
        header.CopyTo(buffer);
        frame.CopyTo(buffer.AsSpan(header.Length));
        _ring[(_head + _count) % _ring.Length] = (buffer, header.Length + frame.Length, header.Length);
        _count++;
        return true;
    }

    /// <summary>Gives a dequeued packet's buffer back.</summary>
    internal void Recycle(byte[] buffer) => _pool.Return(buffer);

    /// <summary>Takes the head packet; the caller hands the buffer back with <see cref="Recycle"/>.</summary>
    internal (byte[] Buffer, int Length, int HeaderLength) Dequeue()
    {
        var entry = _ring[_head];
        _ring[_head] = default;
        _head = (_head + 1) % _ring.Length;
        _count--;
        return entry;
    }

    /// <summary>
    /// Frames thrown away by a detach or by closing the queue (the kernel purges the ring by design).
    /// </summary>
    public long Purged { get; private set; }

    internal void Purge()
    {
        while (_count > 0)
        {
            _pool.Return(Dequeue().Buffer);
            Purged++;
        }
    }
}
