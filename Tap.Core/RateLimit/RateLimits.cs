using Tap.Core.Abi;
using Tap.Core.Net;
using Tap.Core.Os;

namespace Tap.Core.RateLimit;

/// <summary>
/// The rate limiters of one net stack and the one timer they share: a timerfd armed to the earliest time a blocked
/// limiter's tokens are due. When it fires, every limiter whose tokens are due lets its waiting frames go, through
/// the same flush a peer that can receive again asks for (Q13). Nothing here runs, and no fd exists, until a limiter
/// is added, so a run without rate limits makes no call it did not make before.
/// </summary>
public sealed class RateLimits(NetStack stack, IOsNet os) : IFdHandler
{
    /// <summary>A timerfd read returns the expiry count as one u64.</summary>
    private const int TimerReadBytes = 8;

    private readonly List<RateLimiter> _limiters = new();
    private readonly byte[] _expiry = new byte[TimerReadBytes];
    private Fd? _timer;
    private long _armedNs;
    private bool _timerFailed;

    /// <summary>Every limiter, in the order they were added.</summary>
    public IReadOnlyList<RateLimiter> Limiters => _limiters;

    /// <summary>The limiter with <paramref name="id"/>, or null.</summary>
    public RateLimiter? Find(string id) => _limiters.Find(l => l.Id == id);

    /// <summary>
    /// Adds limiter <paramref name="id"/> on <paramref name="direction"/> of netdev <paramref name="netdev"/>
    /// (null: both directions, each with its own buckets). Returns null, or QEMU's message when the id is taken or
    /// the netdev does not exist, or ours when that direction already has a limiter.
    /// </summary>
    public string? Add(string id, string netdev, RateDirection? direction, RateLimitSettings settings)
    {
        if (_limiters.Exists(l => l.Id == id))
        {
            return $"attempt to add duplicate property '{id}' to object (type 'container')";
        }
        var clients = stack.FindAll(netdev).Where(c => !c.IsNic).ToList();
        if (clients.Count == 0)
        {
            return "Parameter 'netdev' expects a network backend id";
        }
        var directions = direction is { } d ? [d] : new[] { RateDirection.Rx, RateDirection.Tx };
        foreach (var dir in directions)
        {
            if (_limiters.Find(l => l.Netdev == netdev && l.Direction == dir) is { } other)
            {
                return $"netdev '{netdev}' already has a rate limit on {Word(dir)} ('{other.Id}')";
            }
        }
        long now = Now();
        foreach (var dir in directions)
        {
            var limiter = new RateLimiter(this, id, netdev, dir, settings, clients, now);
            _limiters.Add(limiter);
            foreach (var c in clients)
            {
                if (dir == RateDirection.Rx)
                {
                    c.RxLimit = limiter;
                }
                else
                {
                    c.TxLimit = limiter;
                }
            }
        }
        return null;
    }

    /// <summary>
    /// A live change of limiter <paramref name="id"/> (both of its directions): see <see cref="RateLimiter"/>;
    /// frames waiting are tried again at once. Null, or a message when there is no such limiter.
    /// </summary>
    public string? Update(string id, RateLimitSettings settings)
    {
        var matching = _limiters.FindAll(l => l.Id == id);
        if (matching.Count == 0)
        {
            return $"no rate limit '{id}'";
        }
        long now = Now();
        foreach (var l in matching)
        {
            l.Update(settings, now);
        }
        foreach (var l in matching)
        {
            Release(l);
        }
        Schedule();
        return null;
    }

    /// <summary><c>rx</c> or <c>tx</c>.</summary>
    public static string Word(RateDirection direction) => direction == RateDirection.Rx ? "rx" : "tx";

    /// <summary>The monotonic clock, through the OS.</summary>
    internal long Now() => os.ClockMonotonicNs();

    /// <summary>Arms the timer to the earliest due time of a blocked limiter (creating it on first use).</summary>
    internal void Schedule()
    {
        long earliest = long.MaxValue;
        foreach (var l in _limiters)
        {
            if (l.Blocked && l.DueNs < earliest)
            {
                earliest = l.DueNs;
            }
        }
        if (earliest == long.MaxValue || earliest == _armedNs || !EnsureTimer())
        {
            return;
        }
        var r = os.TimerFdSetTime(_timer!.Value, earliest);
        if (r.Ok)
        {
            _armedNs = earliest;
        }
        else
        {
            FailOpen($"timerfd_settime failed: {ErrnoText.Of(r.Error)}");
        }
    }

    private bool EnsureTimer()
    {
        if (_timer is not null)
        {
            return true;
        }
        if (_timerFailed)
        {
            // Limits set again after the failure: still nothing would wake their frames.
            DropLimits();
            return false;
        }
        var fd = os.TimerFdCreate();
        if (!fd.Ok)
        {
            FailOpen($"timerfd_create failed: {ErrnoText.Of(fd.Error)}");
            return false;
        }
        _timer = fd.Value;
        os.Watch(fd.Value, this, readable: true, writable: false);
        return true;
    }

    /// <summary>
    /// Without a timer nothing would ever wake the waiting frames: the limits are dropped (said once) rather than the
    /// traffic stalled for good.
    /// </summary>
    private void FailOpen(string why)
    {
        _timerFailed = true;
        os.Report(new Diagnostic(DiagnosticKind.Warning, $"rate limits: {why}; limits are no longer applied"));
        DropLimits();
    }

    /// <summary>Every limiter limits nothing from now on; what waits is let go.</summary>
    private void DropLimits()
    {
        foreach (var l in _limiters)
        {
            l.Update(new RateLimitSettings(BucketSettings.Off, BucketSettings.Off), 0);
        }
        foreach (var l in _limiters.ToArray())
        {
            Release(l);
        }
    }

    /// <summary>The timer fired: every limiter whose tokens are due lets its frames go; then the timer is armed
    /// again for those still waiting.</summary>
    public void OnReadable()
    {
        if (_timer is not { } timer)
        {
            return;
        }
        // Takes the expiry; EAGAIN (already taken, or re-armed since) changes nothing below.
        _ = os.Read(timer, _expiry);
        _armedNs = 0;
        long now = Now();
        foreach (var l in _limiters.ToArray())
        {
            if (l.Blocked && l.DueNs <= now)
            {
                l.Unblock();
                Release(l);
            }
        }
        Schedule();
    }

    /// <summary>A timerfd is never watched for writing.</summary>
    public void OnWritable()
    {
    }

    /// <summary>
    /// Q13 on behalf of the side the limiter held back: the netdev's own queues (rx), or its peers (tx), which then
    /// flush what waits for them and complete the senders, whose reads resume (R24).
    /// </summary>
    private static void Release(RateLimiter limiter)
    {
        foreach (var c in limiter.Clients)
        {
            if (c.Deleted)
            {
                continue;
            }
            if (limiter.Direction == RateDirection.Rx)
            {
                c.FlushQueuedPackets();
            }
            else if (c.Peer is { Deleted: false } peer)
            {
                peer.FlushQueuedPackets();
            }
        }
    }

    /// <summary>Closes the timer (at shutdown, after every netdev is gone).</summary>
    public void Close()
    {
        if (_timer is { } timer)
        {
            _timer = null;
            os.Close(timer);
        }
    }
}
