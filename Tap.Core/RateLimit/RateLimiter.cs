using Tap.Core.Net;

namespace Tap.Core.RateLimit;

/// <summary>
/// One <c>filter-ratelimit</c> object on one direction of one netdev: a bandwidth bucket and an ops bucket (either
/// may be off), shared by every queue of the netdev. A frame passes when both buckets have its tokens; otherwise the
/// limiter is blocked until the tokens are due, and the frame waits in the net layer as it does for a peer that
/// cannot receive (docs/rate-limits.md#waiting).
/// </summary>
public sealed class RateLimiter
{
    private readonly RateLimits _owner;

    internal RateLimiter(RateLimits owner, string id, string netdev, RateDirection direction,
        RateLimitSettings settings, IReadOnlyList<NetClient> clients, long nowNs)
    {
        _owner = owner;
        Id = id;
        Netdev = netdev;
        Direction = direction;
        Clients = clients;
        Settings = settings;
        Bandwidth = settings.Bandwidth.IsOff ? null : new TokenBucket(settings.Bandwidth, nowNs);
        Ops = settings.Ops.IsOff ? null : new TokenBucket(settings.Ops, nowNs);
    }

    /// <summary>The object's id.</summary>
    public string Id { get; }

    /// <summary>The netdev it limits.</summary>
    public string Netdev { get; }

    /// <summary>Which of the netdev's frames it counts.</summary>
    public RateDirection Direction { get; }

    /// <summary>The netdev's queues (every client with its id but hub ports' NIC peers), in creation order.</summary>
    public IReadOnlyList<NetClient> Clients { get; }

    /// <summary>The settings as last given.</summary>
    public RateLimitSettings Settings { get; private set; }

    /// <summary>The bytes bucket, or null when off.</summary>
    public TokenBucket? Bandwidth { get; private set; }

    /// <summary>The frames bucket, or null when off.</summary>
    public TokenBucket? Ops { get; private set; }

    /// <summary>True while frames wait for tokens: nothing passes until <see cref="DueNs"/>.</summary>
    public bool Blocked { get; private set; }

    /// <summary>When the tokens the waiting frame needs are due (meaningful while <see cref="Blocked"/>).</summary>
    public long DueNs { get; private set; }

    /// <summary>Frames let through.</summary>
    public long PassedFrames { get; private set; }

    /// <summary>Bytes let through.</summary>
    public long PassedBytes { get; private set; }

    /// <summary>Times a frame had to wait for tokens.</summary>
    public long Throttles { get; private set; }

    /// <summary>
    /// Whether a frame of <paramref name="bytes"/> from a sender limited by <paramref name="tx"/> to a receiver
    /// limited by <paramref name="rx"/> (either may be null, not both) passes now. Tokens are taken from both or
    /// neither; a limiter that refuses is blocked until its tokens are due.
    /// </summary>
    internal static bool Admit(RateLimiter? tx, RateLimiter? rx, int bytes)
    {
        if (tx is { Blocked: true } || rx is { Blocked: true })
        {
            return false;
        }
        long now = (tx ?? rx)!._owner.Now();
        if (tx is not null && !tx.CanTake(now, bytes))
        {
            return false;
        }
        if (rx is not null && !rx.CanTake(now, bytes))
        {
            return false;
        }
        tx?.Take(bytes);
        rx?.Take(bytes);
        return true;
    }

    private bool CanTake(long now, int bytes)
    {
        Bandwidth?.Refill(now);
        Ops?.Refill(now);
        bool bytesOk = Bandwidth?.CanTake(bytes) ?? true;
        bool opsOk = Ops?.CanTake(1) ?? true;
        if (bytesOk && opsOk)
        {
            return true;
        }
        long due = Math.Max(bytesOk ? now : Bandwidth!.DueNs(bytes), opsOk ? now : Ops!.DueNs(1));
        Blocked = true;
        // A due time in the past cannot happen (the refill just ran) but would spin the timer: at least 1 ns on.
        DueNs = Math.Max(due, now + 1);
        Throttles++;
        _owner.Schedule();
        // No timer could be armed: the limits were dropped (RateLimits.FailOpen) and this frame passes too, since
        // nothing would ever release it.
        return !Blocked;
    }

    private void Take(int bytes)
    {
        Bandwidth?.Take(bytes);
        Ops?.Take(1);
        PassedFrames++;
        PassedBytes += bytes;
    }

    /// <summary>The timer found the tokens due: frames may go again.</summary>
    internal void Unblock() => Blocked = false;

    /// <summary>
    /// A live change: a bucket turned on starts full, one turned off goes, one changed keeps its budget capped to
    /// the new size (<see cref="TokenBucket.Update"/>). Waiting frames are tried again at once.
    /// </summary>
    internal void Update(RateLimitSettings settings, long nowNs)
    {
        Settings = settings;
        Bandwidth = Change(Bandwidth, settings.Bandwidth, nowNs);
        Ops = Change(Ops, settings.Ops, nowNs);
        Blocked = false;
    }

    private static TokenBucket? Change(TokenBucket? bucket, BucketSettings settings, long nowNs)
    {
        if (settings.IsOff)
        {
            return null;
        }
        if (bucket is null)
        {
            return new TokenBucket(settings, nowNs);
        }
        bucket.Update(settings, nowNs);
        return bucket;
    }
}
