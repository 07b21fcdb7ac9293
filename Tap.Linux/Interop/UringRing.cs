using System.Runtime.CompilerServices;
using Tap.Core.Abi;
using Tmds.Linux;

namespace Tap.Linux.Interop;

/// <summary>
/// One io_uring instance: the ring fd, its shared submission and completion rings (mmap'd), and the few operations
/// the uring loop needs (read, write, poll, cancel, timeout), each prepared into the submission ring without a
/// system call. <see cref="Enter"/> is the only system call of the data path: it submits everything prepared since
/// the last one and, when asked, waits for completions. Single-threaded: the loop's thread prepares, enters and
/// reaps (UringLoop serialises any other caller). A ring made for one thread (<see cref="Create"/>'s
/// <c>oneThread</c>) takes its system calls from the thread that made it only (UringLoop checks the thread).
/// </summary>
internal sealed unsafe class UringRing : IDisposable
{
    private readonly FdHandle _ring;
    private readonly int _ringNumber;
    private readonly byte* _rings;
    private readonly nuint _ringsBytes;
    private readonly io_uring_sqe* _sqes;
    private readonly nuint _sqesBytes;
    private readonly uint* _sqHead;
    private readonly uint* _sqTail;
    private readonly uint _sqMask;
    private readonly uint _sqEntries;
    private readonly uint* _cqHead;
    private readonly uint* _cqTail;
    private readonly uint _cqMask;
    private readonly io_uring_cqe* _cqes;
    // The timespec a timeout points at; the kernel copies it when it takes the submission.
    private readonly long* _timespec;
    private uint _sqTailLocal;
    private bool _disposed;
    // A one-thread ring: completions are posted only when an enter asks for events.
    private readonly bool _deferred;

    /// <summary>IORING_SETUP_COOP_TASKRUN (Linux 5.19; Tmds.LibC 0.5.0 does not have it), for a ring any thread may
    /// enter. Without it each frame's completion work is pushed onto the loop's thread with an interrupt when that
    /// thread is running, which cost about 0.9 µs a frame here (bench/reference-uring.c, REFERENCE_URING_MODE=plain
    /// against coop); with it the work waits for the thread's next entry into the kernel, which on this loop is the
    /// io_uring_enter that collects it. A sleeping thread is still woken for it.</summary>
    private const uint SetupCoopTaskrun = 1u << 8;

    /// <summary>IORING_SETUP_SINGLE_ISSUER (6.0) and IORING_SETUP_DEFER_TASKRUN (6.1), for a one-thread ring;
    /// Tmds.LibC 0.5.0 has neither. Completion work waits, kept by the ring, for the owner's next io_uring_enter that
    /// asks for events, and a sleeping owner is woken for it only when it waits for that many (io-uring.md, One
    /// thread).</summary>
    private const uint SetupSingleIssuer = 1u << 12, SetupDeferTaskrun = 1u << 13;

    private UringRing(FdHandle ring, in io_uring_params p, byte* rings, nuint ringsBytes, io_uring_sqe* sqes,
        nuint sqesBytes, bool deferred)
    {
        _ring = ring;
        _deferred = deferred;
        bool leased = false;
        ring.DangerousAddRef(ref leased);
        _ringNumber = ring.Number;
        _rings = rings;
        _ringsBytes = ringsBytes;
        _sqes = sqes;
        _sqesBytes = sqesBytes;
        _sqHead = (uint*)(rings + p.sq_off.head);
        _sqTail = (uint*)(rings + p.sq_off.tail);
        _sqMask = *(uint*)(rings + p.sq_off.ring_mask);
        _sqEntries = *(uint*)(rings + p.sq_off.ring_entries);
        _cqHead = (uint*)(rings + p.cq_off.head);
        _cqTail = (uint*)(rings + p.cq_off.tail);
        _cqMask = *(uint*)(rings + p.cq_off.ring_mask);
        _cqes = (io_uring_cqe*)(rings + p.cq_off.cqes);
        // Submission slot i always names sqe i: the indirection array is filled once.
        uint* array = (uint*)(rings + p.sq_off.array);
        for (uint i = 0; i < _sqEntries; i++)
        {
            array[i] = i;
        }
        _sqTailLocal = *_sqTail;
        _timespec = (long*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(16);
    }

    /// <summary>Completion ring entries: twice the submission entries (the kernel's default).</summary>
    public uint CompletionEntries => _cqMask + 1;

    /// <summary>
    /// io_uring_setup with <paramref name="entries"/> submission slots, <paramref name="flags"/> and (with
    /// IORING_SETUP_CQSIZE) <paramref name="completionEntries"/>, then the two mmaps; the errno of whichever step
    /// failed (ENOSYS: no io_uring; EPERM: io_uring_disabled). With <paramref name="oneThread"/> the ring is the
    /// calling thread's alone (single issuer, deferred task work); else any thread's (cooperative task work).
    /// </summary>
    public static Errno Create(uint entries, uint flags, uint completionEntries, bool oneThread, out UringRing? ring)
    {
        ring = null;
        io_uring_params p = default;
        p.flags = flags | (oneThread ? SetupSingleIssuer | SetupDeferTaskrun : SetupCoopTaskrun);
        p.cq_entries = completionEntries;
        int fd = LibC.io_uring_setup(entries, &p);
        if (fd < 0)
        {
            return Libc.LastErrno();
        }
        var handle = new FdHandle(fd);
        if ((p.features & LibC.IORING_FEAT_SINGLE_MMAP) == 0)
        {
            handle.Dispose();
            return Errno.ENOSYS; // kernels before 5.4: not worth a second mapping path
        }
        nuint sqBytes = p.sq_off.array + p.sq_entries * sizeof(uint);
        nuint cqBytes = p.cq_off.cqes + p.cq_entries * (nuint)sizeof(io_uring_cqe);
        nuint ringsBytes = Math.Max(sqBytes, cqBytes);
        int prot = LibC.PROT_READ | LibC.PROT_WRITE;
        int map = LibC.MAP_SHARED | LibC.MAP_POPULATE;
        void* rings = LibC.mmap(null, (size_t)ringsBytes, prot, map, fd, (long)LibC.IORING_OFF_SQ_RING);
        if (rings == LibC.MAP_FAILED)
        {
            var error = Libc.LastErrno();
            handle.Dispose();
            return error;
        }
        nuint sqesBytes = p.sq_entries * (nuint)sizeof(io_uring_sqe);
        void* sqes = LibC.mmap(null, (size_t)sqesBytes, prot, map, fd, (long)LibC.IORING_OFF_SQES);
        if (sqes == LibC.MAP_FAILED)
        {
            var error = Libc.LastErrno();
            LibC.munmap(rings, (size_t)ringsBytes);
            handle.Dispose();
            return error;
        }
        ring = new UringRing(handle, p, (byte*)rings, ringsBytes, (io_uring_sqe*)sqes, sqesBytes, oneThread);
        return Errno.None;
    }

    /// <summary>Prepared submissions the kernel has not taken yet.</summary>
    public uint Pending => _sqTailLocal - Volatile.Read(ref *_sqHead);

    /// <summary>IORING_OP_READ of up to <paramref name="length"/> bytes into <paramref name="buffer"/>.</summary>
    public void PrepareRead(int fd, NativeBuffer buffer, int offset, int length, ulong userData) =>
        Prepare(LibC.IORING_OP_READ, fd, (ulong)(buffer.Pointer + offset), (uint)length, 0, userData);

    /// <summary>
    /// IORING_OP_READ_MULTISHOT (Linux 6.7) on <paramref name="file"/>: one request that completes once per frame, each
    /// into the next free buffer of <paramref name="group"/> (its id in the completion's flags), until it fails or
    /// finds no free buffer (a completion without <see cref="CqeMore"/>).
    /// </summary>
    public void PrepareReadMultishot(UringFile file, ushort group, ulong userData)
    {
        ref var sqe = ref Prepare(OpReadMultishot, file.Number, 0, 0, 0, userData);
        sqe.flags = (byte)(LibC.IOSQE_BUFFER_SELECT | file.Flags);
        sqe.buf_index = group; // buf_group: the same union at offset 40
    }

    /// <summary>IORING_OP_WRITE of <paramref name="length"/> bytes from <paramref name="buffer"/>.</summary>
    public void PrepareWrite(UringFile file, NativeBuffer buffer, int offset, int length, ulong userData)
    {
        ref var sqe = ref Prepare(LibC.IORING_OP_WRITE, file.Number, (ulong)(buffer.Pointer + offset), (uint)length, 0,
            userData);
        sqe.flags = file.Flags;
    }

    /// <summary>IORING_REGISTER_FILES of <paramref name="count"/> empty entries, for <see cref="SetFile"/>.</summary>
    public Errno RegisterFileTable(int count)
    {
        int* fds = stackalloc int[count];
        new Span<int>(fds, count).Fill(-1);
        return LibC.io_uring_register(_ringNumber, LibC.IORING_REGISTER_FILES, fds, (uint)count) >= 0
            ? Errno.None : Libc.LastErrno();
    }

    /// <summary>IORING_REGISTER_FILES_UPDATE: entry <paramref name="index"/> of the file table names
    /// <paramref name="fd"/>'s file (the ring holds a reference on it), or nothing with -1 (the reference goes once
    /// the requests that used it are done).</summary>
    public Errno SetFile(int index, int fd)
    {
        io_uring_files_update update = default;
        update.offset = (uint)index;
        update.fds = (ulong)&fd;
        return LibC.io_uring_register(_ringNumber, LibC.IORING_REGISTER_FILES_UPDATE, &update, 1) >= 0
            ? Errno.None : Libc.LastErrno();
    }

    /// <summary>One-shot IORING_OP_POLL_ADD for <paramref name="pollMask"/> (POLLIN/POLLOUT).</summary>
    public void PreparePoll(int fd, uint pollMask, ulong userData) =>
        Prepare(LibC.IORING_OP_POLL_ADD, fd, 0, 0, pollMask, userData);

    /// <summary>IORING_OP_ASYNC_CANCEL of the request whose user data is <paramref name="target"/>.</summary>
    public void PrepareCancel(ulong target, ulong userData) =>
        Prepare(LibC.IORING_OP_ASYNC_CANCEL, -1, target, 0, 0, userData);

    /// <summary>IORING_OP_TIMEOUT firing after <paramref name="timeoutMs"/> or at the next completion, whichever
    /// comes first (count 1), so a wait for one completion is bounded in time.</summary>
    public void PrepareTimeout(int timeoutMs, ulong userData)
    {
        _timespec[0] = timeoutMs / 1000;
        _timespec[1] = timeoutMs % 1000 * 1_000_000L;
        ref var sqe = ref Prepare(LibC.IORING_OP_TIMEOUT, -1, (ulong)_timespec, 1, 0, userData);
        sqe.off = 1;
    }

    /// <summary>
    /// io_uring_enter: submits every prepared entry and, with <paramref name="waitForOne"/>, blocks until at least
    /// one completion is ready; with <paramref name="collect"/> it enters even with nothing to submit, so that the
    /// completions the kernel has finished but not yet posted are posted. EINTR is returned (the loop simply goes
    /// round again).
    /// </summary>
    public Errno Enter(bool waitForOne, bool collect = false)
    {
        uint toSubmit = Pending;
        if (toSubmit == 0 && !waitForOne && !collect)
        {
            return Errno.None;
        }
        // A one-thread ring posts completions only when asked for events: every enter asks.
        uint flags = waitForOne || collect || _deferred ? LibC.IORING_ENTER_GETEVENTS : 0;
        int r = LibC.io_uring_enter(_ringNumber, toSubmit, waitForOne ? 1u : 0u, flags, null);
        return r >= 0 ? Errno.None : Libc.LastErrno();
    }

    /// <summary>Takes the oldest completion, if any, with its flags (<see cref="CqeMore"/>, the buffer id of a
    /// multishot read); no system call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryTake(out ulong userData, out int result, out uint flags)
    {
        uint head = *_cqHead;
        if (head == Volatile.Read(ref *_cqTail))
        {
            userData = 0;
            result = 0;
            flags = 0;
            return false;
        }
        ref var cqe = ref _cqes[head & _cqMask];
        userData = cqe.user_data;
        result = cqe.res;
        flags = cqe.flags;
        Volatile.Write(ref *_cqHead, head + 1);
        return true;
    }

    /// <summary>IORING_REGISTER_PBUF_RING: the kernel may pick buffers from <paramref name="buffers"/> for reads that
    /// name its group.</summary>
    public Errno RegisterBufferRing(UringBufferRing buffers)
    {
        BufferRingRegistration reg = default;
        reg.RingAddress = buffers.RingAddress;
        reg.RingEntries = (uint)buffers.Count;
        reg.Group = buffers.Group;
        return LibC.io_uring_register(_ringNumber, RegisterPbufRing, &reg, 1) >= 0 ? Errno.None : Libc.LastErrno();
    }

    /// <summary>IORING_UNREGISTER_PBUF_RING of <paramref name="group"/>.</summary>
    public Errno UnregisterBufferRing(ushort group)
    {
        BufferRingRegistration reg = default;
        reg.Group = group;
        return LibC.io_uring_register(_ringNumber, UnregisterPbufRing, &reg, 1) >= 0 ? Errno.None : Libc.LastErrno();
    }

    /// <summary>Whether this kernel knows <paramref name="opcode"/> (IORING_REGISTER_PROBE).</summary>
    public bool Supports(byte opcode)
    {
        const int Ops = 256;
        int bytes = sizeof(io_uring_probe) + Ops * sizeof(io_uring_probe_op);
        byte* probe = stackalloc byte[bytes];
        new Span<byte>(probe, bytes).Clear();
        if (LibC.io_uring_register(_ringNumber, LibC.IORING_REGISTER_PROBE, probe, Ops) < 0)
        {
            return false;
        }
        var header = (io_uring_probe*)probe;
        var ops = (io_uring_probe_op*)(probe + sizeof(io_uring_probe));
        return opcode <= header->last_op && (ops[opcode].flags & LibC.IO_URING_OP_SUPPORTED) != 0;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        LibC.munmap(_sqes, (size_t)_sqesBytes);
        LibC.munmap(_rings, (size_t)_ringsBytes);
        System.Runtime.InteropServices.NativeMemory.Free(_timespec);
        _ring.DangerousRelease();
        _ring.Dispose();
    }

    // What Tmds.LibC 0.5.0 does not have (linux/io_uring.h): the multishot read (6.7), buffer selection and the
    // buffer-ring registration (5.19), and the completion flags that go with them.
    public const byte OpReadMultishot = 49; // IORING_OP_READ_MULTISHOT
    private const uint RegisterPbufRing = 22, UnregisterPbufRing = 23; // IORING_(UN)REGISTER_PBUF_RING
    public const uint CqeBuffer = 1 << 0; // IORING_CQE_F_BUFFER: the upper 16 bits of flags are a buffer id
    public const uint CqeMore = 1 << 1; // IORING_CQE_F_MORE: the multishot request stays posted
    public const int CqeBufferShift = 16; // IORING_CQE_BUFFER_SHIFT

    /// <summary>struct io_uring_buf_reg: 40 bytes.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct BufferRingRegistration
    {
        public ulong RingAddress;
        public uint RingEntries;
        public ushort Group;
        public ushort Flags;
        public ulong Reserved0, Reserved1, Reserved2;
    }

    private ref io_uring_sqe Prepare(byte opcode, int fd, ulong addr, uint length, uint opFlags, ulong userData)
    {
        if (_sqTailLocal - Volatile.Read(ref *_sqHead) >= _sqEntries)
        {
            // Full: hand what is there to the kernel now (no wait), then the slot is free.
            Volatile.Write(ref *_sqTail, _sqTailLocal);
            _ = LibC.io_uring_enter(_ringNumber, Pending, 0, 0, null);
        }
        ref var sqe = ref _sqes[_sqTailLocal & _sqMask];
        sqe = default;
        sqe.opcode = opcode;
        sqe.fd = fd;
        sqe.addr = addr;
        sqe.len = length;
        sqe.rw_flags = (int)opFlags; // the union at offset 28: poll_events for POLL_ADD (low 16 bits)
        sqe.user_data = userData;
        _sqTailLocal++;
        // Published at once (store-release): Enter's count and the kernel's view of the tail then agree.
        Volatile.Write(ref *_sqTail, _sqTailLocal);
        return ref sqe;
    }
}
