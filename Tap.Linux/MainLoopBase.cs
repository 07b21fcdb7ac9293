using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Tap.Linux.Interop;

namespace Tap.Linux;

/// <summary>
/// What both main loops share: running iterations until a stop is requested (from any thread, a cancellation or
/// SIGINT/SIGTERM/SIGHUP), the stats tick, and the wake eventfd a stop writes to so a blocked wait returns at once.
/// A loop brings its iteration (<see cref="RunOnce"/>) and its wait's watch on <see cref="WakeFd"/>.
/// </summary>
public abstract class MainLoopBase : IMainLoop
{
    private readonly Lock _signalLock = new();
    private readonly List<PosixSignalRegistration> _signals = new();
    private volatile bool _stopRequested;
    private volatile int _stopSignal;

    /// <summary>The eventfd (non-blocking) a stop or a cross-thread change writes to; the loop's wait watches it
    /// and its iteration drains it (<see cref="DrainWake"/>).</summary>
    protected abstract FdHandle WakeFd { get; }

    /// <summary>A stop was requested and <see cref="Run(CancellationToken)"/> has not yet consumed it.</summary>
    protected bool StopRequested => _stopRequested;

    /// <inheritdoc/>
    public PosixSignal? StopSignal => _stopSignal == 0 ? null : (PosixSignal)_stopSignal;

    /// <inheritdoc/>
    public abstract int WatchedCount { get; }

    /// <inheritdoc/>
    public abstract void Watch(FdHandle fd, Tap.Core.Os.IFdHandler handler, bool readable, bool writable);

    /// <inheritdoc/>
    public abstract void Forget(int fdNumber);

    /// <inheritdoc/>
    public abstract void Release(int fdNumber);

    /// <inheritdoc/>
    public abstract int RunOnce(int timeoutMs);

    /// <summary>Runs iterations until <see cref="RequestStop"/>, a termination signal, or <paramref name="cancel"/>.
    /// A stop requested before the call makes it return at once; the request is consumed on return.</summary>
    public void Run(CancellationToken cancel = default)
    {
        using var registration = cancel.Register(static state => ((MainLoopBase)state!).RequestStop(), this);
        while (!_stopRequested)
        {
            RunOnce(-1);
        }
        _stopRequested = false;
    }

    /// <summary>
    /// As <see cref="Run(CancellationToken)"/>, and calls <paramref name="tick"/> on the loop's own thread every
    /// <paramref name="interval"/> (so the tick may read the core's state without any locking).
    /// </summary>
    public void Run(Action tick, TimeSpan interval)
    {
        long intervalMs = Math.Max(1, (long)interval.TotalMilliseconds);
        long next = Environment.TickCount64 + intervalMs;
        while (!_stopRequested)
        {
            long wait = Math.Max(0, next - Environment.TickCount64);
            RunOnce((int)Math.Min(wait, int.MaxValue));
            if (Environment.TickCount64 >= next)
            {
                tick();
                next += intervalMs;
            }
        }
        _stopRequested = false;
    }

    /// <summary>Makes <see cref="Run(CancellationToken)"/> return after the current iteration; safe from any thread
    /// and from signal handlers (.NET runs those on a normal thread).</summary>
    public void RequestStop()
    {
        _stopRequested = true;
        Wake();
    }

    /// <summary>Stops <see cref="Run(CancellationToken)"/> cleanly on SIGINT, SIGTERM and SIGHUP instead of letting
    /// the runtime exit (or, for SIGHUP, the default action kill the process), so the caller can run its cleanup
    /// (down scripts, closing taps). QEMU shuts down the same way on all three, for example when the terminal that
    /// started it closes. Undone by <see cref="Dispose"/>.</summary>
    public void StopOnTerminationSignals()
    {
        lock (_signalLock)
        {
            if (_signals.Count > 0)
            {
                return;
            }
            foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
            {
                _signals.Add(PosixSignalRegistration.Create(signal, context =>
                {
                    context.Cancel = true;
                    _stopSignal = (int)context.Signal;
                    RequestStop();
                }));
            }
        }
    }

    /// <inheritdoc/>
    public abstract void Dispose();

    /// <summary>True once <see cref="BeginDispose"/> ran.</summary>
    protected bool Disposed { get; private set; }

    /// <summary>
    /// The first step of the loop's Dispose, under its lock: false when the loop was disposed before (nothing more to
    /// do); else marks it disposed and gives the termination signals back to the runtime.
    /// </summary>
    protected bool BeginDispose()
    {
        if (Disposed)
        {
            return false;
        }
        Disposed = true;
        DisposeSignals();
        return true;
    }

    private void DisposeSignals()
    {
        lock (_signalLock)
        {
            foreach (var signal in _signals)
            {
                signal.Dispose();
            }
            _signals.Clear();
        }
    }

    /// <summary>Makes the loop's wait return: one write to <see cref="WakeFd"/>.</summary>
    protected void Wake()
    {
        Span<byte> one = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(one, 1);
        // EAGAIN (counter saturated) still leaves the eventfd readable, so the loop wakes anyway.
        _ = Libc.Write(WakeFd, one, out _);
    }

    /// <summary>Reads the wake eventfd's counter back to 0 (non-blocking: EAGAIN when it already is).</summary>
    protected void DrainWake() => _ = Libc.Read(WakeFd, stackalloc byte[sizeof(ulong)], out _);
}
