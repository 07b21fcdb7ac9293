using System.Runtime.InteropServices;

namespace Tap.Linux.Interop;

/// <summary>
/// A provided-buffer ring (linux/io_uring.h, Linux 5.19): <see cref="Count"/> buffers of <see cref="BufferBytes"/>
/// the kernel picks from, in ring order, for each frame a multishot read completes, and which we hand back one by
/// one once the frame is copied out. The ring (16-byte entries, page-aligned, its tail in the first entry's last two
/// bytes) and the buffers are native memory: the kernel writes into them after the call that named them returned.
/// Tmds.LibC 0.5.0 has neither the struct nor its register call's argument, so both are written out here.
/// </summary>
internal sealed unsafe class UringBufferRing : IDisposable
{
    private const int EntryBytes = 16; // struct io_uring_buf { u64 addr; u32 len; u16 bid; u16 resv; }
    private const int TailOffset = 14; // io_uring_buf_ring.tail overlays bufs[0].resv
    private const int PageBytes = 4096;

    private byte* _ring;
    private ushort _tail;

    public UringBufferRing(ushort group, int count, int bufferBytes)
    {
        if (count <= 0 || (count & (count - 1)) != 0 || count > 32768)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "a power of two up to 32768");
        }
        Group = group;
        Count = count;
        BufferBytes = bufferBytes;
        _ring = (byte*)NativeMemory.AlignedAlloc((nuint)(count * EntryBytes), PageBytes);
        NativeMemory.Clear(_ring, (nuint)(count * EntryBytes));
        Buffers = new NativeBuffer(count * bufferBytes);
        for (int id = 0; id < count; id++)
        {
            Add(id);
        }
        Publish();
    }

    /// <summary>The buffer group id the reads name (unique per ring while registered).</summary>
    public ushort Group { get; }

    public int Count { get; }

    public int BufferBytes { get; }

    public NativeBuffer Buffers { get; }

    /// <summary>The ring's address, for IORING_REGISTER_PBUF_RING.</summary>
    public ulong RingAddress => (ulong)_ring;

    /// <summary>The first <paramref name="length"/> bytes of buffer <paramref name="id"/>.</summary>
    public Span<byte> Buffer(int id, int length) => Buffers.Slice(id * BufferBytes, length);

    /// <summary>Buffer <paramref name="id"/> is free again: the kernel may fill it after the next
    /// <see cref="Publish"/>.</summary>
    public void Add(int id)
    {
        byte* entry = _ring + (_tail & (Count - 1)) * EntryBytes;
        *(ulong*)entry = (ulong)(Buffers.Pointer + (long)id * BufferBytes);
        *(uint*)(entry + 8) = (uint)BufferBytes;
        *(ushort*)(entry + 12) = (ushort)id;
        _tail++;
    }

    /// <summary>Makes the buffers added so far visible to the kernel (a store-release of the tail).</summary>
    public void Publish() => Volatile.Write(ref *(ushort*)(_ring + TailOffset), _tail);

    /// <summary>After the ring is unregistered (or the io_uring closed), never before.</summary>
    public void Dispose()
    {
        if (_ring != null)
        {
            NativeMemory.AlignedFree(_ring);
            _ring = null;
            Buffers.Dispose();
        }
    }
}
