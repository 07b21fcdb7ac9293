using System.Runtime.CompilerServices;
using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Linux.Interop;

namespace Tap.Linux;

public sealed partial class UringLoop
{
    // User data of a request: serial (32 bits, 0 for the loop's own requests) | slot (16) | kind (4) | index (12).
    private const int KindShift = 12;
    private const ulong IndexMask = 0xFFF;
    private const ulong PrefixMask = ~0xFFFFUL;
    private const ulong KindRead = 1, KindWrite = 2, KindPoll = 3, KindWake = 4, KindTimeout = 5, KindCancel = 6;

    private const int ENoBufs = 105;

    private int _loopThread = -1;
    // Entries of the ring's registered file table not naming a tap (FileTableEntries at the start).
    private readonly Stack<int> _freeFiles = new();
    // Buffer group ids: one per tap queue while its ring is registered.
    private readonly Stack<ushort> _freeGroups = new();
    private ushort _nextGroup;
    // True while RunOnce calls handlers: their reads and writes are collected and submitted by the loop.
    private bool _dispatching;

    private sealed class Watcher(FdHandle handle, ulong prefix, UringTapQueue? tap)
    {
        public FdHandle Handle { get; } = handle;
        public ulong Prefix { get; } = prefix;
        public UringTapQueue? Tap { get; } = tap;
        public IFdHandler Handler { get; set; } = null!;
        public bool Readable { get; set; }
        public bool Writable { get; set; }
        public int Slot => (int)((Prefix >> 16) & 0xFFFF);
        public uint ArmedMask { get; set; }
        public ulong PollGeneration { get; set; }
        public uint ReadyMask { get; set; }
    }

    /// <inheritdoc/>
    public override int RunOnce(int timeoutMs)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        CheckThread();
        _loopThread = Environment.CurrentManagedThreadId;
        bool ready;
        lock (_lock)
        {
            Reap();
            ready = AnyReadyLocked();
            if (!ready && timeoutMs > 0)
            {
                _ring.PrepareTimeout(timeoutMs, KindTimeout << KindShift);
            }
        }
        var error = ready || timeoutMs == 0
            ? (_ring.Pending >= (ready ? SubmitBatch : 1) ? _ring.Enter(waitForOne: false) : Errno.None)
            : _ring.Enter(waitForOne: true);
        if (error != Errno.None && error != Errno.EINTR && error != Errno.EBUSY)
        {
            throw new InvalidOperationException($"io_uring_enter: {ErrnoText.Of(error)}");
        }
        lock (_lock)
        {
            Reap();
            _dispatching = true;
            try
            {
                return DispatchLocked();
            }
            finally
            {
                _dispatching = false;
            }
        }
    }

    /// <summary>Takes every completion the kernel has posted; no system call.</summary>
    private void Reap()
    {
        while (_ring.TryTake(out ulong userData, out int result, out uint flags))
        {
            ulong kind = (userData >> KindShift) & 0xF;
            int index = (int)(userData & IndexMask);
            switch (kind)
            {
                case KindWake:
                    // Reading an eventfd resets it; EAGAIN means a racing wake already did. Only on a wake.
                    DrainWake();
                    PostWakeRead();
                    break;
                case KindRead:
                    if (QueueOf(userData) is { } reading)
                    {
                        ReadDone(reading, result, flags, userData);
                    }
                    break;
                case KindWrite:
                    if (QueueOf(userData) is { } writing)
                    {
                        WriteDone(writing, index, result, userData);
                    }
                    break;
                case KindPoll:
                    if (WatcherOf(userData) is { } polled && polled.PollGeneration == (ulong)index)
                    {
                        polled.ArmedMask = 0;
                        polled.ReadyMask |= result > 0 ? (uint)result : 0;
                    }
                    break;
                default:
                    break; // timeouts and cancellations only had to complete
            }
        }
    }

    private bool AnyReadyLocked()
    {
        if (StopRequested)
        {
            return true;
        }
        foreach (var watcher in _byFd.Values)
        {
            if (IsReady(watcher))
            {
                return true;
            }
        }
        return false;
    }

    // A tap is writable when it has a free write slot and the kernel says so too (a down tap never is, as with
    // epoll): the kernel's word comes from a POLLOUT poll armed only while write interest is on.
    private static bool IsReady(Watcher w) => w.Tap is { } tap
        ? (w.Readable && tap.ArrivedCount > 0) || (w.Writable && tap.CanWrite && (w.ReadyMask & PollOut) != 0)
        : (w.Readable && (w.ReadyMask & (PollIn | PollErr | PollHup)) != 0)
            || (w.Writable && (w.ReadyMask & PollOut) != 0);

    private int DispatchLocked()
    {
        int calls = 0;
        var slots = _slots;
        for (int i = 0; i < slots.Length; i++)
        {
            var w = slots[i];
            if (w is null)
            {
                continue;
            }
            uint ready = w.ReadyMask;
            w.ReadyMask = 0;
            bool readable = w.Tap is { } tap ? tap.ArrivedCount > 0 : (ready & (PollIn | PollErr | PollHup)) != 0;
            if (readable && w.Readable)
            {
                w.Handler.OnReadable();
                EndLoans();
                calls++;
            }
            // The readable handler may have changed or dropped the interest; look again.
            if (ReferenceEquals(_slots[i], w) && w.Writable && (w.Tap?.CanWrite ?? true) && (ready & PollOut) != 0)
            {
                w.Handler.OnWritable();
                EndLoans();
                calls++;
            }
            if (ReferenceEquals(_slots[i], w))
            {
                ArmPollLocked(w);
                if (w.Tap is { } reader)
                {
                    PostRead(reader);
                }
            }
        }
        return calls;
    }

    private Watcher AddLocked(FdHandle fd)
    {
        int slot = _freeSlots.Count > 0 ? _freeSlots.Pop() : _slotsUsed++;
        ulong prefix = ((ulong)_nextSerial++ << 32) | ((ulong)(uint)slot << 16);
        var tap = Libc.IsTunDevice(fd) ? NewTapQueue(fd.Number, prefix) : null;
        var watcher = new Watcher(fd, prefix, tap);
        _byFd[fd.Number] = watcher;
        if (slot >= _slots.Length)
        {
            Array.Resize(ref _slots, _slots.Length * 2);
        }
        _slots[slot] = watcher;
        if (tap is not null)
        {
            PublishTap(fd.Number, tap);
            PostRead(tap);
        }
        return watcher;
    }

    private void RemoveLocked(Watcher w)
    {
        _byFd.Remove(w.Handle.Number);
        _slots[w.Slot] = null;
        _freeSlots.Push(w.Slot);
        if (w.Tap is { } tap)
        {
            PublishTap(tap.FdNumber, null);
            tap.Released = true;
            if (tap.ReadPosted)
            {
                _ring.PrepareCancel(w.Prefix | (KindRead << KindShift), KindCancel << KindShift);
            }
            if (w.ArmedMask != 0)
            {
                _ring.PrepareCancel(w.Prefix | (KindPoll << KindShift) | w.PollGeneration, KindCancel << KindShift);
            }
            // Now, not at the next iteration: the posted read and the file table hold the file, and a closed tap
            // must let go of its device at once (ip tuntap del, a persistent tap reopened) even when no loop runs.
            _ = _ring.Enter(waitForOne: false);
            if (tap.FileIndex >= 0)
            {
                _ = _ring.SetFile(tap.FileIndex, -1);
                _freeFiles.Push(tap.FileIndex);
                tap.FileIndex = -1;
            }
            if (tap.Outstanding == 0)
            {
                DisposeTapQueue(tap);
            }
            else
            {
                _draining[w.Prefix] = tap;
            }
        }
        else if (w.ArmedMask != 0)
        {
            _ring.PrepareCancel(w.Prefix | (KindPoll << KindShift) | w.PollGeneration, KindCancel << KindShift);
        }
    }

    private void ArmPollLocked(Watcher w)
    {
        // A tap's reads are always posted; its poll only asks the kernel whether a write would be taken.
        uint want = w.Tap is { } tap
            ? (w.Writable && tap.CanWrite ? PollOut : 0)
            : (w.Readable ? PollIn : 0) | (w.Writable ? PollOut : 0);
        if (w.ArmedMask == want)
        {
            return;
        }
        if (w.ArmedMask != 0)
        {
            _ring.PrepareCancel(w.Prefix | (KindPoll << KindShift) | w.PollGeneration, KindCancel << KindShift);
        }
        w.PollGeneration = (w.PollGeneration + 1) & IndexMask;
        w.ArmedMask = want;
        if (want != 0)
        {
            _ring.PreparePoll(w.Handle.Number, want, w.Prefix | (KindPoll << KindShift) | w.PollGeneration);
        }
    }

    /// <summary>Posts the multishot read on <paramref name="tap"/> when it has ended and the kernel has a buffer
    /// to fill (not after release, nor after EBADFD: the device is gone, and the core stops reading).</summary>
    private void PostRead(UringTapQueue tap)
    {
        if (tap.WantsRead)
        {
            _ring.PrepareReadMultishot(tap.File, tap.Reads.Group, tap.Prefix | (KindRead << KindShift));
            tap.ReadPostedNow();
        }
    }

    // A poll, not a read: an eventfd is non-blocking, and a read request on it would complete at once with EAGAIN.
    private void PostWakeRead() => _ring.PreparePoll(_wake.Number, PollIn, KindWake << KindShift);

    private Watcher? WatcherOf(ulong userData)
    {
        int slot = (int)((userData >> 16) & 0xFFFF);
        return slot < _slots.Length && _slots[slot] is { } w && w.Prefix == (userData & PrefixMask) ? w : null;
    }

    private UringTapQueue? QueueOf(ulong userData) =>
        WatcherOf(userData)?.Tap ?? _draining.GetValueOrDefault(userData & PrefixMask);

    private void ReadDone(UringTapQueue tap, int result, uint flags, ulong userData)
    {
        if ((flags & UringRing.CqeMore) == 0)
        {
            tap.ReadEnded();
        }
        if ((flags & UringRing.CqeBuffer) != 0)
        {
            int id = (int)(flags >> UringRing.CqeBufferShift);
            if (tap.Released)
            {
                tap.Reads.Add(id); // nobody will read it; the ring goes with the queue
            }
            else
            {
                tap.FrameArrived(id, result);
            }
        }
        else if (result < 0 && !tap.Released && result != -ECanceled && result != -ENoBufs
            && result != -(int)Errno.EAGAIN)
        {
            // ENOBUFS: every buffer holds a frame the core has not taken; the read is posted again once it has.
            // EAGAIN: io_uring retries a read on a tap itself; should a kernel hand it back, it is posted again.
            tap.Gone |= result == -(int)Errno.EBADFD;
            tap.ErrorArrived(result);
        }
        AfterCompletion(tap);
    }

    private void WriteDone(UringTapQueue tap, int slot, int result, ulong userData)
    {
        if (result == -(int)Errno.EAGAIN && !tap.Released)
        {
            // The fd is O_NONBLOCK, so io_uring hands EAGAIN back rather than waiting. The core was told this frame
            // was written: write it again from its slot, never report EAGAIN for a later one (the core would queue
            // that one again: a loss and a duplicate).
            KernelWriteRetries++;
            var memory = tap.WriteMemory(slot, out int offset, out int length);
            _ring.PrepareWrite(tap.File, memory, offset, length, userData);
            return;
        }
        if (tap.WriteCompleted(slot, result) is { } source)
        {
            AfterCompletion(source);
        }
        AfterCompletion(tap);
    }

    /// <summary>A released queue goes once nothing names its buffers any more.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AfterCompletion(UringTapQueue tap)
    {
        if (tap.Released && tap.Outstanding == 0)
        {
            Drained(tap);
        }
    }

    private void Drained(UringTapQueue tap)
    {
        _draining.Remove(tap.Prefix);
        DisposeTapQueue(tap);
    }

    /// <summary>A tap queue with its own buffer group, registered with the ring.</summary>
    private UringTapQueue NewTapQueue(int fdNumber, ulong prefix)
    {
        ushort group = _freeGroups.Count > 0 ? _freeGroups.Pop() : _nextGroup++;
        var tap = new UringTapQueue(fdNumber, prefix, group);
        var error = _ring.RegisterBufferRing(tap.Reads);
        if (error != Errno.None)
        {
            tap.Dispose();
            _freeGroups.Push(group);
            throw new InvalidOperationException(
                $"io_uring: registering the read buffers of fd {fdNumber}: {ErrnoText.Of(error)}");
        }
        tap.Registered = true;
        if (_freeFiles.Count > 0 && _ring.SetFile(_freeFiles.Peek(), fdNumber) == Errno.None)
        {
            tap.FileIndex = _freeFiles.Pop();
            tap.File = UringFile.Registered(tap.FileIndex);
        }
        return tap;
    }

    /// <summary>Once nothing names its buffers: the ring lets go of them, then they are freed.</summary>
    private void DisposeTapQueue(UringTapQueue tap)
    {
        if (tap.Registered && !Disposed)
        {
            _ = _ring.UnregisterBufferRing(tap.Reads.Group);
            tap.Registered = false;
            _freeGroups.Push(tap.Reads.Group);
        }
        tap.Dispose();
    }

    private void PublishTap(int number, UringTapQueue? tap)
    {
        var array = _taps;
        if (number >= array.Length)
        {
            if (tap is null)
            {
                return;
            }
            var bigger = new UringTapQueue?[Math.Max(array.Length * 2, number + 1)];
            array.CopyTo(bigger, 0);
            array = bigger;
        }
        array[number] = tap;
        _taps = array;
    }
}
