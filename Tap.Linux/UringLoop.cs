using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Linux.Interop;
using Tmds.Linux;

namespace Tap.Linux;

/// <summary>
/// The io_uring main loop (io-uring.md). A tap fd gets one multishot read posted on it, filling the
/// <see cref="UringTapQueue.ReadBuffers"/> buffers of its own buffer ring, and its writes go into the submission
/// ring; everything prepared is submitted by the one io_uring_enter that also waits, so a burst of frames costs one
/// system call instead of two per frame. To the core nothing changes: its
/// <see cref="IOsNet.Read"/> takes an arrived frame or gets EAGAIN, its <see cref="IOsNet.Write"/> hands a copy to
/// the ring or gets EAGAIN when the fd's writes in flight are all taken, and handlers are called level-triggered
/// as on <see cref="EpollLoop"/>: readable while frames have arrived, writable while a write slot is free. Any
/// other fd is watched with one-shot poll requests, re-armed after each call.
/// </summary>
public sealed partial class UringLoop : MainLoopBase
{
    /// <summary>Submission ring entries: two taps' full sets of writes and their reads in one iteration fit
    /// (2 x (128 + 1)); a fuller ring is submitted early, never lost.</summary>
    private const uint SubmissionEntries = 512;

    /// <summary>Completion ring entries: more than every request that can be outstanding at once, so the
    /// kernel never has to hold completions back (it would, with IORING_FEAT_NODROP, but slower).</summary>
    private const uint CompletionEntries = 2048;

    /// <summary>Prepared submissions that are sent at once even while handlers still have work (else they wait
    /// for the iteration that blocks): enough to batch, few enough that writes do not sit while reads drain.</summary>
    private const uint SubmitBatch = 64;

    private const uint IoringSetupCqSize = 1u << 3; // IORING_SETUP_CQSIZE (linux/io_uring.h)

    private const int ECanceled = 125;
    private const uint PollIn = 0x001, PollOut = 0x004, PollErr = 0x008, PollHup = 0x010;

    private readonly UringRing _ring;
    private readonly FdHandle _wake;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, Watcher> _byFd = new();
    // Watchers by slot, for completions (their user data names the slot and a serial number).
    private Watcher?[] _slots = new Watcher?[16];
    private readonly Stack<int> _freeSlots = new();
    private int _slotsUsed;
    private uint _nextSerial = 1;
    // Tap queues by fd number, read lock-free on the packet path (as FdTable's array).
    private volatile UringTapQueue?[] _taps = new UringTapQueue?[64];
    // Released queues whose requests are still outstanding, by user-data prefix (serial and slot).
    private readonly Dictionary<ulong, UringTapQueue> _draining = new();

    /// <summary>Taps whose requests name a registered file rather than their fd; more taps use their fds.</summary>
    private const int FileTableEntries = 64;

    // The managed thread a one-thread loop belongs to (its ring's only submitter), or -1: any thread.
    private readonly int _owner;

    private UringLoop(UringRing ring, FdHandle wake, bool oneThread)
    {
        _ring = ring;
        _wake = wake;
        _owner = oneThread ? Environment.CurrentManagedThreadId : -1;
        if (ring.RegisterFileTable(FileTableEntries) == Errno.None)
        {
            for (int i = FileTableEntries - 1; i >= 0; i--)
            {
                _freeFiles.Push(i);
            }
        }
        PostWakeRead();
    }

    /// <summary>
    /// Creates the ring and its wake eventfd; null with the reason when io_uring cannot be used here (kernel
    /// without it, io_uring_disabled, seccomp, memory limits). With <paramref name="oneThread"/> the loop is the
    /// calling thread's: that thread runs it, watches and releases fds and makes the data path's calls, and any other
    /// gets an InvalidOperationException (only <see cref="MainLoopBase.RequestStop"/> may come from anywhere). In
    /// return the kernel keeps completion work until the loop asks for it (io-uring.md, One thread).
    /// </summary>
    public static UringLoop? TryCreate(out string? whyNot, bool oneThread = false)
    {
        var error = UringRing.Create(SubmissionEntries, IoringSetupCqSize, CompletionEntries, oneThread, out var ring);
        if (error != Errno.None)
        {
            whyNot = $"io_uring_setup: {ErrnoText.Of(error)}";
            return null;
        }
        if (!ring!.Supports(UringRing.OpReadMultishot))
        {
            ring.Dispose();
            whyNot = "io_uring has no multishot read here (IORING_OP_READ_MULTISHOT, Linux 6.7)";
            return null;
        }
        var wake = Libc.EventFd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK, out var handle);
        if (wake != Errno.None)
        {
            ring!.Dispose();
            whyNot = $"eventfd: {ErrnoText.Of(wake)}";
            return null;
        }
        whyNot = null;
        return new UringLoop(ring!, handle, oneThread);
    }

    /// <inheritdoc/>
    protected override FdHandle WakeFd => _wake;

    /// <inheritdoc/>
    public override int WatchedCount
    {
        get
        {
            lock (_lock)
            {
                return _byFd.Values.Count(w => w.Readable || w.Writable);
            }
        }
    }

    /// <inheritdoc/>
    public override void Watch(FdHandle fd, IFdHandler handler, bool readable, bool writable)
    {
        ArgumentNullException.ThrowIfNull(fd);
        ArgumentNullException.ThrowIfNull(handler);
        CheckThread();
        lock (_lock)
        {
            _byFd.TryGetValue(fd.Number, out var current);
            if (current is not null && !ReferenceEquals(current.Handle, fd))
            {
                // The number names another file now: the old one was closed without Release.
                RemoveLocked(current);
                current = null;
            }
            if (!readable && !writable && (current is null || current.Tap is null))
            {
                if (current is not null)
                {
                    RemoveLocked(current);
                }
                return;
            }
            current ??= AddLocked(fd);
            current.Handler = handler;
            current.Readable = readable;
            current.Writable = writable;
            ArmPollLocked(current);
        }
        // Set-up from another thread: the loop may be blocked with this fd's first requests still unsubmitted.
        if (Environment.CurrentManagedThreadId != _loopThread)
        {
            Wake();
        }
    }

    /// <inheritdoc/>
    public override void Forget(int fdNumber)
    {
        CheckThread();
        lock (_lock)
        {
            if (!_byFd.TryGetValue(fdNumber, out var current))
            {
                return;
            }
            if (current.Tap is null)
            {
                RemoveLocked(current);
                return;
            }
            // A tap stays registered: its posted reads keep the frames that arrive in order, like the kernel's
            // queue would while the core does not read (read poll off while the peer cannot receive).
            current.Readable = false;
            current.Writable = false;
            ArmPollLocked(current);
        }
    }

    /// <inheritdoc/>
    public override void Release(int fdNumber)
    {
        CheckThread();
        lock (_lock)
        {
            if (_byFd.TryGetValue(fdNumber, out var current))
            {
                RemoveLocked(current);
            }
        }
    }

    /// <summary>
    /// A one-thread loop's ring takes system calls from its owner only (the kernel would answer anyone else with
    /// EEXIST, which says nothing of why): checked where a call starts, before anything is changed.
    /// </summary>
    private void CheckThread()
    {
        if (_owner >= 0 && Environment.CurrentManagedThreadId != _owner)
        {
            throw new InvalidOperationException(
                $"io_uring: this loop was made for one thread (managed thread {_owner}) and was called from thread " +
                $"{Environment.CurrentManagedThreadId}; a loop for several threads is made with oneThread: false");
        }
    }

    /// <summary>Closes the ring (the kernel cancels what is still outstanding) and the wake eventfd; buffers go
    /// after the ring, never before.</summary>
    public override void Dispose()
    {
        lock (_lock)
        {
            if (!BeginDispose())
            {
                return;
            }
            _ring.Dispose();
            foreach (var watcher in _byFd.Values)
            {
                watcher.Tap?.Dispose();
            }
            foreach (var queue in _draining.Values)
            {
                queue.Dispose();
            }
            _byFd.Clear();
            _draining.Clear();
            Array.Clear(_onLoan);
            _loans = 0;
            _taps = new UringTapQueue?[64];
        }
        _wake.Dispose();
    }
}
