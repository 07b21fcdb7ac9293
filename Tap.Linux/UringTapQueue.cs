using Tap.Core.Abi;
using Tap.Linux.Interop;

namespace Tap.Linux;

/// <summary>
/// The io_uring side of one tap fd: <see cref="ReadSlots"/> reads kept posted on it, whose frames wait here in
/// arrival order until the core reads them (as they would wait in the kernel's queue), and
/// <see cref="WriteSlots"/> writes in flight, whose copies live here until the kernel has taken them. A full set
/// of writes in flight is what EAGAIN means on this path (the core turns write poll on; a completion makes the
/// fd writable again). Touched only under UringLoop's lock.
/// </summary>
internal sealed class UringTapQueue : IDisposable
{
    /// <summary>Reads kept posted per tap. The core takes at most 50 frames per wakeup (MaxPacketsPerWakeup); 64
    /// lets a whole budget arrive while the previous one is forwarded, so one enter serves a full burst.</summary>
    public const int ReadSlots = 64;

    /// <summary>Writes in flight per tap before the core sees EAGAIN: the reads of one wakeup of a peer (50) fit,
    /// with room for a second burst while the first is being submitted.</summary>
    public const int WriteSlots = 128;

    /// <summary>One frame with its vnet header, as large as the core's own buffer (QEMU's NET_BUFSIZE), so a
    /// read here never truncates what a read(2) into the core's buffer would have returned whole.</summary>
    public const int SlotBytes = NetLimits.NetBufSizeBytes;

    private readonly int[] _arrived = new int[ReadSlots]; // slot numbers in completion order (a ring)
    private readonly int[] _results = new int[ReadSlots]; // bytes read, or -errno
    private readonly bool[] _readPosted = new bool[ReadSlots];
    private readonly int[] _freeReads = new int[ReadSlots]; // a stack: neither posted nor holding a frame
    private int _freeReadCount = ReadSlots;
    private readonly int[] _freeWrites = new int[WriteSlots]; // a stack
    private int _arrivedHead;
    private int _freeWriteCount = WriteSlots;

    public UringTapQueue(int fdNumber, ulong prefix)
    {
        FdNumber = fdNumber;
        Prefix = prefix;
        Reads = new NativeBuffer(ReadSlots * SlotBytes);
        Writes = new NativeBuffer(WriteSlots * SlotBytes);
        for (int i = 0; i < ReadSlots; i++)
        {
            _freeReads[i] = ReadSlots - 1 - i;
        }
        for (int i = 0; i < WriteSlots; i++)
        {
            _freeWrites[i] = WriteSlots - 1 - i;
        }
    }

    public int FdNumber { get; }

    /// <summary>The user-data prefix (serial and slot) of this queue's requests.</summary>
    public ulong Prefix { get; }

    public NativeBuffer Reads { get; }

    public NativeBuffer Writes { get; }

    /// <summary>Frames (or read errors) that arrived and wait for the core.</summary>
    public int ArrivedCount { get; private set; }

    /// <summary>Requests the kernel still holds that name these buffers (posted reads, writes in flight).</summary>
    public int Outstanding { get; private set; }

    /// <summary>The fd was closed or handed away: no more reads are posted, buffers go once nothing is
    /// outstanding.</summary>
    public bool Released { get; set; }

    public bool CanWrite => _freeWriteCount > 0;

    /// <summary>A read completed with EBADFD: the device is gone, no read is posted again.</summary>
    public bool Gone { get; set; }

    /// <summary>The first error of a write the kernel completed since the core last wrote: reported by the next
    /// <c>IOsNet.Write</c> on this fd (the write that failed has already returned its length).</summary>
    public Errno DeferredWriteError { get; set; }

    /// <summary>Reads posted at least, and the floor of <see cref="ReadTarget"/>: each posted read is woken by
    /// every frame that arrives on an idle tap (they all wait on its poll queue, and all but one find it empty), so
    /// at low rates few are posted, which keeps the round trip near epoll's.</summary>
    public const int ReadTargetMin = 4;

    /// <summary>How many reads to keep posted: doubled when an iteration found all of them completed (more frames
    /// were waiting than reads), halved when fewer than a quarter completed; between
    /// <see cref="ReadTargetMin"/> and <see cref="ReadSlots"/>.</summary>
    public int ReadTarget { get; private set; } = ReadTargetMin;

    /// <summary>Reads posted now.</summary>
    public int Posted { get; private set; }

    /// <summary>Reads that completed since the last <see cref="Adapt"/>.</summary>
    private int _completedSinceAdapt;

    public bool IsReadPosted(int slot) => _readPosted[slot];

    /// <summary>A free slot to post a read into, or -1 when the target is met or no slot is free.</summary>
    public int TakeReadSlot()
    {
        if (Posted >= ReadTarget || _freeReadCount == 0)
        {
            return -1;
        }
        int slot = _freeReads[--_freeReadCount];
        _readPosted[slot] = true;
        Posted++;
        Outstanding++;
        return slot;
    }

    /// <summary>Once per iteration in which reads completed: resizes <see cref="ReadTarget"/> to the demand.</summary>
    public void Adapt()
    {
        if (_completedSinceAdapt == 0)
        {
            return;
        }
        if (Posted == 0)
        {
            ReadTarget = Math.Min(ReadSlots, ReadTarget * 2);
        }
        else if (_completedSinceAdapt * 4 < ReadTarget)
        {
            ReadTarget = Math.Max(ReadTargetMin, ReadTarget / 2);
        }
        _completedSinceAdapt = 0;
    }

    /// <summary>A posted read completed with <paramref name="result"/>; false when it is to be dropped (cancelled
    /// or after release), in which case the slot is free again.</summary>
    public void ReadCompleted(int slot, int result, bool keep)
    {
        _readPosted[slot] = false;
        Posted--;
        Outstanding--;
        _completedSinceAdapt++;
        if (!keep)
        {
            FreeReadSlot(slot);
            return;
        }
        _arrived[(_arrivedHead + ArrivedCount) % ReadSlots] = slot;
        _results[slot] = result;
        ArrivedCount++;
    }

    /// <summary>Takes the oldest arrival: its slot and result.</summary>
    public int TakeArrival(out int result)
    {
        int slot = _arrived[_arrivedHead];
        _arrivedHead = (_arrivedHead + 1) % ReadSlots;
        ArrivedCount--;
        result = _results[slot];
        return slot;
    }

    /// <summary>The core has taken the frame in <paramref name="slot"/>: it can be posted again.</summary>
    public void FreeReadSlot(int slot) => _freeReads[_freeReadCount++] = slot;

    public int TakeWriteSlot()
    {
        int slot = _freeWrites[--_freeWriteCount];
        Outstanding++;
        return slot;
    }

    public void WriteCompleted(int slot, int result)
    {
        _freeWrites[_freeWriteCount++] = slot;
        Outstanding--;
        if (result < 0 && DeferredWriteError == Errno.None)
        {
            DeferredWriteError = (Errno)(-result);
        }
    }

    public void Dispose()
    {
        Reads.Dispose();
        Writes.Dispose();
    }
}
