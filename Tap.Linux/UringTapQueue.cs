using Tap.Core.Abi;
using Tap.Linux.Interop;

namespace Tap.Linux;

/// <summary>
/// The io_uring side of one tap fd: one multishot read posted on it, completing into the <see cref="ReadBuffers"/>
/// buffers of its own provided-buffer ring, whose frames wait here in arrival order until the core reads them (as
/// they would wait in the kernel's queue), and <see cref="WriteSlots"/> writes in flight, whose copies live here until
/// the kernel has taken them (most writes need none: they are made from the read buffer a frame arrived in). A full
/// set of writes in flight is what EAGAIN means on this path (the core turns write poll on; a completion makes the fd
/// writable again). Touched only under UringLoop's lock.
/// </summary>
internal sealed class UringTapQueue : IDisposable
{
    /// <summary>Buffers the multishot read fills. The core takes at most 50 frames per wakeup
    /// (MaxPacketsPerWakeup); 64 lets a whole budget arrive while the previous one is forwarded. With all of them
    /// holding frames the read ends (no buffer), and further frames wait in the kernel's queue until the core has
    /// taken some: what happens on epoll while the core does not read.</summary>
    public const int ReadBuffers = 64;

    /// <summary>Writes in flight per tap before the core sees EAGAIN: the reads of one wakeup of a peer (50) fit,
    /// with room for a second burst while the first is being submitted.</summary>
    public const int WriteSlots = 128;

    /// <summary>One frame with its vnet header, as large as the core's own buffer (QEMU's NET_BUFSIZE), so a
    /// read here never truncates what a read(2) into the core's buffer would have returned whole.</summary>
    public const int SlotBytes = NetLimits.NetBufSizeBytes;

    // Completions in arrival order (a ring): a buffer id and its byte count, or -1 and a read error. At most every
    // buffer and one error (no read is posted again while an error waits).
    private const int ArrivalCapacity = ReadBuffers + 1;
    private readonly int[] _arrivedBuffer = new int[ArrivalCapacity];
    private readonly int[] _arrivedResult = new int[ArrivalCapacity];
    private int _arrivedHead;
    private readonly int[] _freeWrites = new int[WriteSlots]; // a stack
    private readonly int[] _writeLengths = new int[WriteSlots];
    private int _freeWriteCount = WriteSlots;
    // Copies live in buffers of their own, also a stack, taken only by writes that copy: with most writes made in
    // place, the few copies in flight reuse the same first buffers, and the memory a run touches (its RSS) stays that
    // of the copies in flight at once, not of every slot number a write ever had.
    private readonly int[] _freeCopies = new int[WriteSlots];
    private int _freeCopyCount = WriteSlots;
    private readonly int[] _writeCopies = new int[WriteSlots]; // per write slot, its copy buffer or -1
    // Per write slot, where the kernel reads the frame: this queue's slot, or another tap's read buffer the frame
    // was lent from (no copy), which then stays out of the kernel's hands until the write is done.
    private readonly int[] _writeOffsets = new int[WriteSlots];
    private readonly UringTapQueue?[] _writeSources = new UringTapQueue?[WriteSlots];
    private readonly int[] _writeSourceIds = new int[WriteSlots];
    // Per read buffer, the writes in flight (on any tap) that name it.
    private readonly int[] _writesFromBuffer = new int[ReadBuffers];

    public UringTapQueue(int fdNumber, ulong prefix, ushort group)
    {
        FdNumber = fdNumber;
        File = UringFile.Fd(fdNumber);
        Prefix = prefix;
        Reads = new UringBufferRing(group, ReadBuffers, SlotBytes);
        Writes = new NativeBuffer(WriteSlots * SlotBytes);
        for (int i = 0; i < WriteSlots; i++)
        {
            _freeWrites[i] = WriteSlots - 1 - i;
            _freeCopies[i] = WriteSlots - 1 - i;
            _writeCopies[i] = -1;
        }
    }

    public int FdNumber { get; }

    /// <summary>How requests name this tap: its entry in the ring's file table, or its fd.</summary>
    public UringFile File { get; set; }

    /// <summary>The entry in the ring's file table, or -1.</summary>
    public int FileIndex { get; set; } = -1;

    /// <summary>The user-data prefix (serial and slot) of this queue's requests.</summary>
    public ulong Prefix { get; }

    public UringBufferRing Reads { get; }

    public NativeBuffer Writes { get; }

    /// <summary>Frames (or a read error) that arrived and wait for the core.</summary>
    public int ArrivedCount { get; private set; }

    /// <summary>Buffers holding a frame the core has not taken: the kernel has the others.</summary>
    public int Held { get; private set; }

    /// <summary>Whether a read error waits for the core (no read is posted until it has taken it).</summary>
    public bool ErrorWaiting { get; private set; }

    /// <summary>Requests the kernel still holds that name these buffers (the read, writes in flight).</summary>
    public int Outstanding { get; private set; }

    /// <summary>The multishot read is posted and has not ended.</summary>
    public bool ReadPosted { get; private set; }

    /// <summary>The fd was closed or handed away: no read is posted again, buffers go once nothing is
    /// outstanding.</summary>
    public bool Released { get; set; }

    /// <summary>The buffer ring is registered with the io_uring (unregistered before the buffers go).</summary>
    public bool Registered { get; set; }

    public bool CanWrite => _freeWriteCount > 0;

    /// <summary>A read completed with EBADFD: the device is gone, no read is posted again.</summary>
    public bool Gone { get; set; }

    /// <summary>The first error of a write the kernel completed since the core last wrote: reported by the next
    /// <c>IOsNet.Write</c> on this fd (the write that failed has already returned its length).</summary>
    public Errno DeferredWriteError { get; set; }

    /// <summary>Whether a read should be posted now: none is, the tap is still ours and working, and the kernel has
    /// a buffer to fill.</summary>
    public bool WantsRead => !ReadPosted && !Released && !Gone && !ErrorWaiting && Held < ReadBuffers;

    public void ReadPostedNow()
    {
        ReadPosted = true;
        Outstanding++;
    }

    /// <summary>The read's completion said it stays posted no longer.</summary>
    public void ReadEnded()
    {
        ReadPosted = false;
        Outstanding--;
    }

    /// <summary>A frame of <paramref name="bytes"/> arrived in buffer <paramref name="id"/>.</summary>
    public void FrameArrived(int id, int bytes)
    {
        Held++;
        Arrive(id, bytes);
    }

    /// <summary>The read failed with <paramref name="result"/> (a negative errno) and ended.</summary>
    public void ErrorArrived(int result)
    {
        ErrorWaiting = true;
        Arrive(-1, result);
    }

    private void Arrive(int id, int result)
    {
        int at = (_arrivedHead + ArrivedCount) % ArrivalCapacity;
        _arrivedBuffer[at] = id;
        _arrivedResult[at] = result;
        ArrivedCount++;
    }

    /// <summary>Takes the oldest arrival: its buffer id (-1 for an error) and result.</summary>
    public int TakeArrival(out int result)
    {
        int id = _arrivedBuffer[_arrivedHead];
        result = _arrivedResult[_arrivedHead];
        _arrivedHead = (_arrivedHead + 1) % ArrivalCapacity;
        ArrivedCount--;
        if (id < 0)
        {
            ErrorWaiting = false;
        }
        return id;
    }

    /// <summary>The core has copied the frame out of buffer <paramref name="id"/>: the kernel may fill it
    /// again.</summary>
    public void GiveBack(int id)
    {
        Held--;
        Reads.Add(id);
        Reads.Publish();
    }

    /// <summary>The buffer lent to the core (<c>IOsNet.ReadFrame</c>), or -1.</summary>
    public int LentId { get; private set; } = -1;

    /// <summary>Buffer <paramref name="id"/> is lent to the core until its handler returns or it reads again; the
    /// queue stays (Outstanding) while the core may still look at it.</summary>
    public void Lend(int id)
    {
        LentId = id;
        Outstanding++;
    }

    /// <summary>The loan is over: the buffer goes back to the kernel unless a write still names it.</summary>
    public void EndLoan()
    {
        int id = LentId;
        LentId = -1;
        Outstanding--;
        if (_writesFromBuffer[id] == 0)
        {
            GiveBack(id);
        }
    }

    /// <summary>Writes in flight that name buffer <paramref name="id"/>.</summary>
    public int WritesFrom(int id) => _writesFromBuffer[id];

    /// <summary>A write (of any tap) names buffer <paramref name="id"/> until <see cref="BufferWriteDone"/>.</summary>
    private void BufferWriteStarted(int id)
    {
        _writesFromBuffer[id]++;
        Outstanding++;
    }

    private void BufferWriteDone(int id)
    {
        Outstanding--;
        if (--_writesFromBuffer[id] == 0 && LentId != id)
        {
            GiveBack(id);
        }
    }

    /// <summary>A write slot for a frame of <paramref name="length"/> bytes copied into this queue's own memory,
    /// at <see cref="WriteMemory"/>.</summary>
    public int TakeWriteSlot(int length)
    {
        int slot = TakeSlot(length);
        int copy = _freeCopies[--_freeCopyCount];
        _writeCopies[slot] = copy;
        _writeOffsets[slot] = copy * SlotBytes;
        return slot;
    }

    private int TakeSlot(int length)
    {
        int slot = _freeWrites[--_freeWriteCount];
        _writeLengths[slot] = length;
        Outstanding++;
        return slot;
    }

    /// <summary>A write slot for a frame the kernel reads where it is: at <paramref name="offset"/> in buffer
    /// <paramref name="id"/> of <paramref name="source"/>, lent to the core.</summary>
    public int TakeWriteSlot(int length, UringTapQueue source, int id, int offset)
    {
        int slot = TakeSlot(length);
        _writeOffsets[slot] = id * SlotBytes + offset;
        _writeSources[slot] = source;
        _writeSourceIds[slot] = id;
        source.BufferWriteStarted(id);
        return slot;
    }

    /// <summary>Where the frame of write slot <paramref name="slot"/> is, to write it (again).</summary>
    public NativeBuffer WriteMemory(int slot, out int offset, out int length)
    {
        offset = _writeOffsets[slot];
        length = _writeLengths[slot];
        return _writeSources[slot] is { } source ? source.Reads.Buffers : Writes;
    }

    /// <summary>The write is done; returns the queue whose read buffer it named (it may now be drained), or
    /// null.</summary>
    public UringTapQueue? WriteCompleted(int slot, int result)
    {
        _freeWrites[_freeWriteCount++] = slot;
        if (_writeCopies[slot] >= 0)
        {
            _freeCopies[_freeCopyCount++] = _writeCopies[slot];
            _writeCopies[slot] = -1;
        }
        Outstanding--;
        if (result < 0 && DeferredWriteError == Errno.None)
        {
            DeferredWriteError = (Errno)(-result);
        }
        var source = _writeSources[slot];
        if (source is not null)
        {
            _writeSources[slot] = null;
            source.BufferWriteDone(_writeSourceIds[slot]);
        }
        return source;
    }

    public void Dispose()
    {
        Reads.Dispose();
        Writes.Dispose();
    }
}
