using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tap.Core.Abi;
using Tap.Linux.Interop;

namespace Tap.Linux;

public sealed partial class UringLoop
{
    /// <summary>Frames the core has taken from the ring's reads, and handed to its writes (tests: the frames did
    /// go this way, not through read(2) and writev(2)).</summary>
    internal long RingFramesRead { get; private set; }

    /// <inheritdoc cref="RingFramesRead"/>
    internal long RingFramesWritten { get; private set; }

    /// <summary>Frames lent to the core from the ring's read buffers rather than copied (ReadFrame), and writes the
    /// kernel made from such a buffer rather than from a copy.</summary>
    internal long RingFramesLent { get; private set; }

    /// <inheritdoc cref="RingFramesLent"/>
    internal long RingWritesInPlace { get; private set; }

    // Queues with a buffer lent to the core, until the handler that read it returns (one, mostly: the handler's tap).
    private UringTapQueue?[] _onLoan = new UringTapQueue?[4];
    private int _loans;

    /// <summary>Writes the kernel handed back with EAGAIN and the loop made again (docs/io-uring.md, write order):
    /// tests report it, as it is where write order could break.</summary>
    internal long KernelWriteRetries { get; private set; }

    /// <summary>
    /// The tap queue of fd number <paramref name="fd"/>, or null when the fd is not a watched tap (the caller then
    /// makes the plain system call). Lock-free: called twice per frame.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal UringTapQueue? TapOf(int fd)
    {
        var taps = _taps;
        return (uint)fd < (uint)taps.Length ? taps[fd] : null;
    }

    /// <summary>
    /// True on the loop's thread while RunOnce calls handlers: the lock is held already, and the core's reads and
    /// writes come from there. Entering the lock again would take its recursive path, about 75 instructions a call
    /// and two calls a frame.
    /// </summary>
    internal bool OnLoopInHandlers
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _dispatching && Environment.CurrentManagedThreadId == _loopThread;
    }

    /// <summary>The loop's lock, entered unless this thread holds it already as the loop in its handlers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private LockUnlessHeld EnterUnlessInHandlers() => new(OnLoopInHandlers ? null : _lock);

    /// <summary>Holds a lock, or nothing, until disposed.</summary>
    private readonly ref struct LockUnlessHeld
    {
        private readonly Lock? _entered;

        public LockUnlessHeld(Lock? toEnter)
        {
            toEnter?.Enter();
            _entered = toEnter;
        }

        public void Dispose() => _entered?.Exit();
    }

    /// <summary>
    /// The core's read on a tap: the oldest frame that arrived (copied into <paramref name="buffer"/>, truncated to
    /// it as read(2) would), or its read error, or EAGAIN when none has; the buffer goes back to the kernel.
    /// </summary>
    internal Errno Read(UringTapQueue tap, Span<byte> buffer, out int bytes)
    {
        using (EnterUnlessInHandlers())
        {
            if (tap.ArrivedCount == 0 && !_dispatching)
            {
                // A read outside the loop's handlers (set-up, a test reading a tap while no loop runs): nothing
                // else will post the read, submit it or collect its completions, so do all three now.
                CheckThread();
                PostRead(tap);
                _ = _ring.Enter(waitForOne: false, collect: true);
                Reap();
            }
            if (tap.ArrivedCount == 0 || tap.Released)
            {
                bytes = 0;
                return Errno.EAGAIN;
            }
            int id = tap.TakeArrival(out int result);
            if (id < 0)
            {
                bytes = 0;
                return (Errno)(-result); // EBADFD: the device is gone; the core stops reading, and so do we
            }
            bytes = Math.Min(result, buffer.Length);
            tap.Reads.Buffer(id, bytes).CopyTo(buffer);
            tap.GiveBack(id);
            RingFramesRead++;
            return Errno.None;
        }
    }

    /// <summary>
    /// The core's <c>ReadFrame</c> on a tap from a handler the loop called (<see cref="OnLoopInHandlers"/>): the
    /// oldest frame that arrived, where it is, or its read error, or EAGAIN. Its buffer is the core's until the next
    /// read on the tap or the handler's return; a write of the frame meanwhile is made from it (Write).
    /// </summary>
    internal Errno Lend(UringTapQueue tap, int limit, out ReadOnlySpan<byte> frame)
    {
        EndLoan(tap);
        if (tap.ArrivedCount == 0 || tap.Released)
        {
            frame = default;
            return Errno.EAGAIN;
        }
        int id = tap.TakeArrival(out int result);
        if (id < 0)
        {
            frame = default;
            return (Errno)(-result); // EBADFD: as Read
        }
        frame = tap.Reads.Buffer(id, Math.Min(result, limit));
        tap.Lend(id);
        if (_loans == _onLoan.Length)
        {
            Array.Resize(ref _onLoan, _loans * 2);
        }
        _onLoan[_loans++] = tap;
        RingFramesRead++;
        RingFramesLent++;
        return Errno.None;
    }

    private void EndLoan(UringTapQueue tap)
    {
        if (tap.LentId < 0)
        {
            return;
        }
        tap.EndLoan();
        for (int i = 0; i < _loans; i++)
        {
            if (ReferenceEquals(_onLoan[i], tap))
            {
                _onLoan[i] = _onLoan[--_loans];
                _onLoan[_loans] = null;
                break;
            }
        }
        AfterCompletion(tap);
    }

    /// <summary>A handler returned: what it was lent goes back (or waits for the writes that name it).</summary>
    private void EndLoans()
    {
        while (_loans > 0)
        {
            var tap = _onLoan[--_loans]!;
            _onLoan[_loans] = null;
            tap.EndLoan();
            AfterCompletion(tap);
        }
    }

    /// <summary>
    /// Whether <paramref name="body"/> is (part of) a frame lent to the core with room for <paramref name="head"/>
    /// in front of it, where the head may go: the lending queue, buffer and offset of the write. The bytes in front
    /// are the lent frame's own header, which the core has done with; when another write in flight already names the
    /// buffer they stay as they are, so only the same head may go there.
    /// </summary>
    private unsafe bool TryPlaceInLentBuffer(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body,
        out UringTapQueue? source, out int id, out int offset)
    {
        byte* at = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(body));
        for (int i = 0; i < _loans && !body.IsEmpty; i++)
        {
            var tap = _onLoan[i]!;
            id = tap.LentId;
            byte* buffer = tap.Reads.Buffers.Pointer + (long)id * UringTapQueue.SlotBytes;
            if (at < buffer + head.Length || at + body.Length > buffer + UringTapQueue.SlotBytes)
            {
                continue;
            }
            var front = new Span<byte>(at - head.Length, head.Length);
            if (tap.WritesFrom(id) > 0 && !front.SequenceEqual(head))
            {
                break;
            }
            Libc.CopyHead(head, front);
            source = tap;
            offset = (int)(at - buffer) - head.Length;
            return true;
        }
        source = null;
        id = -1;
        offset = 0;
        return false;
    }

    /// <summary>
    /// The core's write on a tap: a copy of <paramref name="head"/> and <paramref name="body"/> goes into a free
    /// write slot and the ring (submitted with the next enter); EAGAIN when every slot is in flight. An error the
    /// kernel reported for an earlier write on this fd is returned now (the frame is still written), so the core
    /// counts and reports each failed write once, one call late.
    /// </summary>
    internal Errno Write(UringTapQueue tap, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, out int bytes)
    {
        int length = head.Length + body.Length;
        if (length > UringTapQueue.SlotBytes)
        {
            bytes = 0;
            return Errno.EINVAL; // larger than any frame a tap takes (the kernel says EINVAL too)
        }
        using (EnterUnlessInHandlers())
        {
            if (!_dispatching)
            {
                CheckThread(); // before the write is prepared: it is submitted at once below
            }
            if (tap.Released)
            {
                bytes = 0;
                return Errno.EBADF;
            }
            if (!tap.CanWrite)
            {
                bytes = 0;
                return Errno.EAGAIN;
            }
            bool inPlace = TryPlaceInLentBuffer(head, body, out var source, out int id, out int offset);
            int slot = inPlace ? tap.TakeWriteSlot(length, source!, id, offset) : tap.TakeWriteSlot(length);
            var memory = tap.WriteMemory(slot, out int at, out _);
            if (inPlace)
            {
                RingWritesInPlace++;
            }
            else
            {
                var copy = memory.Slice(at, length);
                Libc.CopyHead(head, copy);
                body.CopyTo(copy[head.Length..]);
            }
            _ring.PrepareWrite(tap.File, memory, at, length, tap.Prefix | (KindWrite << KindShift) | (uint)slot);
            if (!_dispatching)
            {
                // Outside the loop's handlers no enter may follow soon: submit now, as write(2) would have written.
                _ = _ring.Enter(waitForOne: false);
            }
            RingFramesWritten++;
            var deferred = tap.DeferredWriteError;
            tap.DeferredWriteError = Errno.None;
            bytes = deferred == Errno.None ? length : 0;
            return deferred;
        }
    }
}
