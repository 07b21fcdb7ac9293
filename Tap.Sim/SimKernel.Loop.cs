using Tap.Core.Os;

namespace Tap.Sim;

public sealed partial class SimKernel
{
    /// <summary>
    /// Interest by fd number: an array, so that a loop iteration allocates nothing and visits fds in order.
    /// </summary>
    private (IFdHandler? Handler, bool Readable, bool Writable)[] _watches = new (IFdHandler?, bool, bool)[64];
    private readonly List<int> _ready = new();

    /// <summary>Simulated time: one tick per loop iteration.</summary>
    public long Ticks { get; private set; }

    /// <summary>Handler calls made so far.</summary>
    public long Dispatches { get; private set; }

    /// <summary>The interest registered for <paramref name="fd"/>: (readable, writable), or (false, false).</summary>
    public (bool Readable, bool Writable) InterestOf(Fd fd) =>
        fd.Number >= 0 && fd.Number < _watches.Length && _watches[fd.Number].Handler is not null
            ? (_watches[fd.Number].Readable, _watches[fd.Number].Writable)
            : (false, false);

    private void Unwatch(int fd)
    {
        if (fd >= 0 && fd < _watches.Length)
        {
            _watches[fd] = default;
        }
    }

    /// <inheritdoc/>
    public void Watch(Fd fd, IFdHandler handler, bool readable, bool writable)
    {
        if (fd.Number >= _watches.Length)
        {
            Array.Resize(ref _watches, Math.Max(_watches.Length * 2, fd.Number + 1));
        }
        _watches[fd.Number] = readable || writable ? (handler, readable, writable) : default;
        Record.Add(KernelCalls.Watch(fd, readable, writable));
    }

    private bool IsReadable(int fd)
    {
        if (_fds.GetValueOrDefault(fd) is SimFile.Socket socket)
        {
            return SocketReadable(socket);
        }
        if (_fds.GetValueOrDefault(fd) is not SimFile.Tun { Queue: { } q })
        {
            if (_fds.GetValueOrDefault(fd) is SimFile.Timer timer)
            {
                return TimerExpired(timer);
            }
            return _fds.ContainsKey(fd) && _fds[fd] is SimFile.Other;   // like /dev/null: always ready
        }
        return q.Device.Deleted || (!q.Detached && q.Pending > 0);
    }

    private bool IsWritable(int fd)
    {
        if (_fds.GetValueOrDefault(fd) is SimFile.Socket or SimFile.Timer)
        {
            return SocketWritable(_fds[fd]);
        }
        if (_fds.GetValueOrDefault(fd) is not SimFile.Tun { Queue: { } q })
        {
            return _fds.ContainsKey(fd);
        }
        return !q.Device.Deleted && q.Device.Up && q.InFlightBytes < q.SndBuf;
    }

    /// <summary>
    /// One main-loop iteration: the vhost workers run once (vhost-net §7.5), then every watched fd that is ready, in
    /// a seeded order; readable first, then writable if still wanted (level-triggered, R3). Returns the number of
    /// handler calls plus the packets the workers moved.
    /// </summary>
    public int RunOnce()
    {
        Ticks++;
        NowNs += NsPerIteration;
        int workerPackets = RunVhostWorkers();
        CollectReady();
        if (_ready.Count == 0 && workerPackets == 0 && JumpToNextTimer())
        {
            // Nothing else can happen before the next timer: time passes to it (a discrete-event clock).
            CollectReady();
        }
        Random.Shuffle(_ready);

        int calls = 0;
        foreach (int fd in _ready)
        {
            var w = _watches[fd];
            if (w.Handler is not null && w.Readable && IsReadable(fd))
            {
                if (RecordDataPath)
                {
                    Record.Add($"dispatch readable {fd}");
                }
                calls++;
                w.Handler!.OnReadable();
                EndLoans();
            }
            w = _watches[fd];
            if (w.Handler is not null && w.Writable && IsWritable(fd))
            {
                if (RecordDataPath)
                {
                    Record.Add($"dispatch writable {fd}");
                }
                calls++;
                w.Handler!.OnWritable();
                EndLoans();
            }
        }
        Dispatches += calls;
        return calls + workerPackets;
    }

    private void CollectReady()
    {
        _ready.Clear();
        for (int fd = 0; fd < _watches.Length; fd++)
        {
            var w = _watches[fd];
            if (w.Handler is not null && ((w.Readable && IsReadable(fd)) || (w.Writable && IsWritable(fd))))
            {
                _ready.Add(fd);
            }
        }
    }

    /// <summary>
    /// Runs until an iteration dispatches nothing or <paramref name="maxIterations"/> pass; returns the iterations run.
    /// </summary>
    public int RunUntilIdle(int maxIterations = 10000)
    {
        for (int i = 0; i < maxIterations; i++)
        {
            if (RunOnce() == 0)
            {
                return i + 1;
            }
        }
        return maxIterations;
    }
}
