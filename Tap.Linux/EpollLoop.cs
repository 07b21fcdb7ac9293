using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Linux.Interop;
using Tmds.Linux;

namespace Tap.Linux;

/// <summary>
/// A level-triggered epoll main loop for one thread. Handlers are called again on every iteration while their fd
/// stays ready and the interest stays on (R3), readable first, then writable. EPOLLERR/EPOLLHUP go to
/// <see cref="IFdHandler.OnReadable"/>, whose read then reports the error (EBADFD after the device is deleted).
/// A stop (<see cref="MainLoopBase"/>) writes to the wake eventfd the loop watches, so a blocked <c>epoll_wait</c>
/// wakes at once.
/// </summary>
public sealed class EpollLoop : MainLoopBase
{
    /// <summary>Events taken per <c>epoll_wait</c>. Level-triggered, so ready fds beyond this come back on the next
    /// iteration; 64 keeps the array small (768 bytes) while one wakeup still serves many queues.</summary>
    public const int MaxEventsPerWait = 64;

    /// <summary>The epoll data of the wake eventfd. A registration's token is its slot in <see cref="_slots"/> (low 32
    /// bits) and a serial number (high 32 bits, from 1 up), so an event still queued for a removed registration
    /// cannot match the next one in the same slot.</summary>
    private const ulong WakeToken = 0;

    private readonly FdHandle _epoll;
    // The loop holds a reference on its epoll fd from construction to Dispose, so each wait uses the bare number
    // (one wait per burst, or per frame at low rates) instead of taking and dropping a reference on every call.
    private readonly int _epollNumber;
    private readonly FdHandle _wake;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, Registration> _byFd = new();
    // Registrations by slot, read without the lock: every event is looked up here, twice (readable, then writable
    // after the handler may have changed the interest), so the lookup must not take a lock. Writers change slots
    // and replace the array under the lock; a reader sees the old or the new entry, both consistent.
    private volatile Registration?[] _slots = new Registration?[16];
    private readonly Stack<int> _freeSlots = new();
    private int _slotsUsed;
    // Files epoll refuses (EPERM: regular files, /dev/null) are always ready, which is what poll(2) - and so
    // QEMU's glib loop - reports for them. Kept apart and served without blocking; the count lets an iteration
    // skip the lock when there are none (the usual case).
    private readonly List<Registration> _alwaysReady = new();
    private volatile int _alwaysReadyCount;
    private readonly epoll_event[] _events = new epoll_event[MaxEventsPerWait];
    private uint _nextSerial = 1;

    private sealed class Registration(FdHandle handle, ulong token, bool inEpoll)
    {
        public FdHandle Handle { get; } = handle;
        public ulong Token { get; } = token;
        public bool InEpoll { get; } = inEpoll;
        public IFdHandler Handler { get; set; } = null!;
        public bool Readable { get; set; }
        public bool Writable { get; set; }
        public int Slot => (int)(uint)Token;
    }

    /// <summary>Creates the epoll instance and its wake eventfd (both close-on-exec).</summary>
    /// <exception cref="InvalidOperationException">The kernel refused (fd limit, memory).</exception>
    public EpollLoop()
    {
        _epoll = Open(Libc.EpollCreate(out var epoll), epoll, "epoll_create1");
        try
        {
            _wake = Open(Libc.EventFd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK, out var wake), wake, "eventfd");
        }
        catch
        {
            _epoll.Dispose();
            throw;
        }
        var ctl = Ctl(LibC.EPOLL_CTL_ADD, _wake, LibC.EPOLLIN, WakeToken);
        if (ctl != Errno.None)
        {
            _wake.Dispose();
            _epoll.Dispose();
            throw new InvalidOperationException($"epoll_ctl: {ErrnoText.Of(ctl)}");
        }
        bool leased = false;
        _epoll.DangerousAddRef(ref leased);
        _epollNumber = _epoll.Number;
    }

    /// <inheritdoc/>
    protected override FdHandle WakeFd => _wake;

    /// <summary>How many fds are watched (tests).</summary>
    public override int WatchedCount
    {
        get
        {
            lock (_lock)
            {
                return _byFd.Count;
            }
        }
    }

    /// <summary>
    /// Sets the interest in <paramref name="fd"/>: adds, modifies, or with neither flag removes it.
    /// </summary>
    /// <exception cref="InvalidOperationException">epoll refused the fd for a reason other than "not
    /// pollable".</exception>
    public override void Watch(FdHandle fd, IFdHandler handler, bool readable, bool writable)
    {
        ArgumentNullException.ThrowIfNull(fd);
        ArgumentNullException.ThrowIfNull(handler);
        lock (_lock)
        {
            _byFd.TryGetValue(fd.Number, out var current);
            if (current is not null && !ReferenceEquals(current.Handle, fd))
            {
                // The number now names another file: the old one was closed without Forget. epoll dropped it
                // when it closed, so only our bookkeeping goes.
                RemoveLocked(current, deleteFromEpoll: false);
                current = null;
            }

            if (!readable && !writable)
            {
                if (current is not null)
                {
                    RemoveLocked(current, deleteFromEpoll: true);
                }
                return;
            }

            int events = (readable ? LibC.EPOLLIN : 0) | (writable ? LibC.EPOLLOUT : 0);
            if (current is null)
            {
                int slot = _freeSlots.Count > 0 ? _freeSlots.Pop() : _slotsUsed++;
                ulong token = ((ulong)_nextSerial++ << 32) | (uint)slot;
                var add = Ctl(LibC.EPOLL_CTL_ADD, fd, events, token);
                if (add != Errno.None && add != Errno.EPERM)
                {
                    _freeSlots.Push(slot);
                    throw new InvalidOperationException($"epoll_ctl(ADD, {fd.Number}): {ErrnoText.Of(add)}");
                }
                current = new Registration(fd, token, inEpoll: add == Errno.None);
                _byFd[fd.Number] = current;
                PublishSlot(slot, current);
                if (!current.InEpoll)
                {
                    _alwaysReady.Add(current);
                    _alwaysReadyCount = _alwaysReady.Count;
                }
            }
            else if (current.InEpoll && (current.Readable != readable || current.Writable != writable))
            {
                var mod = Ctl(LibC.EPOLL_CTL_MOD, fd, events, current.Token);
                if (mod != Errno.None)
                {
                    throw new InvalidOperationException($"epoll_ctl(MOD, {fd.Number}): {ErrnoText.Of(mod)}");
                }
            }
            current.Handler = handler;
            current.Readable = readable;
            current.Writable = writable;
        }
    }

    /// <summary>Drops any interest in fd number <paramref name="fdNumber"/>; called before the fd is closed.</summary>
    public override void Forget(int fdNumber)
    {
        lock (_lock)
        {
            if (_byFd.TryGetValue(fdNumber, out var current))
            {
                RemoveLocked(current, deleteFromEpoll: true);
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>Epoll holds no request of its own on the file, so this is <see cref="Forget"/>.</remarks>
    public override void Release(int fdNumber) => Forget(fdNumber);

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> (-1: forever) for readiness and calls the handlers. Returns the
    /// number of handler calls made (0 on timeout, on a wake-up and on EINTR).
    /// </summary>
    public override int RunOnce(int timeoutMs)
    {
        Registration[] spin = [];
        if (_alwaysReadyCount > 0)
        {
            lock (_lock)
            {
                spin = [.. _alwaysReady];
            }
        }
        if (spin.Length > 0)
        {
            timeoutMs = 0;
        }

        // Run and RunOnce belong to one thread and end before Dispose; a call after Dispose fails as before.
        ObjectDisposedException.ThrowIf(Disposed, this);
        var error = Libc.EpollWaitOwned(_epollNumber, _events, timeoutMs, out int n);
        if (error != Errno.None)
        {
            // EINTR: a signal arrived (the runtime's own handlers); the caller simply loops.
            return error == Errno.EINTR ? 0 : throw new InvalidOperationException($"epoll_wait: {ErrnoText.Of(error)}");
        }

        int calls = 0;
        for (int i = 0; i < n; i++)
        {
            var ev = _events[i];
            if (ev.data.u64 == WakeToken)
            {
                DrainWake();
                continue;
            }
            bool failed = (ev.events & (LibC.EPOLLERR | LibC.EPOLLHUP)) != 0;
            var reg = Lookup(ev.data.u64);
            if (reg is not null && (failed || ((ev.events & LibC.EPOLLIN) != 0 && reg.Readable)))
            {
                reg.Handler.OnReadable();
                calls++;
            }
            // The readable handler may have changed or dropped the interest; look again.
            reg = Lookup(ev.data.u64);
            if (reg is not null && reg.Writable && (ev.events & LibC.EPOLLOUT) != 0)
            {
                reg.Handler.OnWritable();
                calls++;
            }
        }

        foreach (var always in spin)
        {
            var reg = Lookup(always.Token);
            if (reg is not null && reg.Readable)
            {
                reg.Handler.OnReadable();
                calls++;
            }
            reg = Lookup(always.Token);
            if (reg is not null && reg.Writable)
            {
                reg.Handler.OnWritable();
                calls++;
            }
        }
        return calls;
    }

    /// <summary>Closes the epoll instance and the wake eventfd; watched fds belong to their owners.</summary>
    public override void Dispose()
    {
        lock (_lock)
        {
            if (!BeginDispose())
            {
                return;
            }
            _byFd.Clear();
            _slots = new Registration?[16];
            _freeSlots.Clear();
            _slotsUsed = 0;
            _alwaysReady.Clear();
            _alwaysReadyCount = 0;
        }
        _wake.Dispose();
        _epoll.DangerousRelease();
        _epoll.Dispose();
    }

    /// <summary>The registration an event's token names, or null when it was removed since; lock-free.</summary>
    private Registration? Lookup(ulong token)
    {
        var slots = _slots;
        uint slot = (uint)token;
        return slot < (uint)slots.Length && slots[slot] is { } reg && reg.Token == token ? reg : null;
    }

    /// <summary>Sets one slot (null frees it); under the lock. A bigger array is filled before it is
    /// published.</summary>
    private void PublishSlot(int slot, Registration? reg)
    {
        var slots = _slots;
        if (slot >= slots.Length)
        {
            var bigger = new Registration?[slots.Length * 2];
            slots.CopyTo(bigger, 0);
            bigger[slot] = reg;
            _slots = bigger;
            return;
        }
        slots[slot] = reg;
    }

    private void RemoveLocked(Registration reg, bool deleteFromEpoll)
    {
        _byFd.Remove(reg.Handle.Number);
        PublishSlot(reg.Slot, null);
        _freeSlots.Push(reg.Slot);
        if (!reg.InEpoll)
        {
            _alwaysReady.Remove(reg);
            _alwaysReadyCount = _alwaysReady.Count;
        }
        else if (deleteFromEpoll && !reg.Handle.IsClosed)
        {
            // ENOENT/EBADF only mean epoll already forgot it (the file was closed); nothing else to undo.
            _ = Ctl(LibC.EPOLL_CTL_DEL, reg.Handle, 0, reg.Token);
        }
    }

    private Errno Ctl(int op, FdHandle fd, int events, ulong token) => Libc.EpollCtl(_epoll, op, fd, events, token);

    private static FdHandle Open(Errno error, FdHandle handle, string call)
    {
        return error == Errno.None ? handle : throw new InvalidOperationException($"{call}: {ErrnoText.Of(error)}");
    }
}
