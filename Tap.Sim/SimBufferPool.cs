using System.Numerics;

namespace Tap.Sim;

/// <summary>
/// Buffers for frames waiting in the simulated rings, by power-of-two size. The shared ArrayPool keeps only a few
/// arrays per size, and a ring holds up to a thousand frames, so a long burst would allocate; this pool keeps
/// every buffer it ever made, so a warmed-up simulation allocates nothing per frame.
/// </summary>
internal sealed class SimBufferPool
{
    private const int MinShift = 8;    // 256 bytes
    private const int MaxShift = 17;   // 128 KiB covers NET_BUFSIZE plus a header
    private readonly Stack<byte[]>[] _buckets = new Stack<byte[]>[MaxShift - MinShift + 1];

    public SimBufferPool()
    {
        for (int i = 0; i < _buckets.Length; i++)
        {
            _buckets[i] = new Stack<byte[]>();
        }
    }

    public byte[] Rent(int length)
    {
        int shift = Math.Max(MinShift, BitOperations.Log2((uint)Math.Max(1, length - 1)) + 1);
        if (shift > MaxShift)
        {
            return new byte[length];
        }
        var bucket = _buckets[shift - MinShift];
        return bucket.Count > 0 ? bucket.Pop() : new byte[1 << shift];
    }

    public void Return(byte[] buffer)
    {
        int shift = BitOperations.Log2((uint)buffer.Length);
        if ((1 << shift) == buffer.Length && shift is >= MinShift and <= MaxShift)
        {
            _buckets[shift - MinShift].Push(buffer);
        }
    }
}
