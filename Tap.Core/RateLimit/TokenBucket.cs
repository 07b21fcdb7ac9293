namespace Tap.Core.RateLimit;

/// <summary>
/// A token bucket with Firecracker's semantics (docs/rate-limits.md#buckets): it starts full, refills continuously
/// at <c>size</c> tokens per refill time up to <c>size</c>, and spends a one-time burst first, which never refills.
/// Time is a value handed in (monotonic nanoseconds), never read here. Unlike Firecracker, the part of a token that
/// a refill could not credit yet is carried to the next one, so frequent refills lose nothing and the long-run rate
/// is exact; and a frame larger than the bucket passes only from a full bucket, leaving the budget in debt that the
/// refill pays back (Firecracker's over-consumption, with the same long-run rate).
/// </summary>
public sealed class TokenBucket
{
    private const long NsPerMs = 1_000_000;

    private long _refillNs;
    private long _lastNs;
    // Token-nanoseconds earned since the last whole token was credited: always below _refillNs.
    private long _carry;

    /// <summary>A full bucket with <paramref name="settings"/> (not off) at time <paramref name="nowNs"/>.</summary>
    public TokenBucket(BucketSettings settings, long nowNs)
    {
        if (settings.IsOff)
        {
            throw new ArgumentException("a bucket that is off is no bucket", nameof(settings));
        }
        Size = settings.Size;
        OneTimeBurst = settings.OneTimeBurst;
        _refillNs = settings.RefillTimeMs * NsPerMs;
        Budget = Size;
        _lastNs = nowNs;
    }

    /// <summary>Tokens the bucket holds when full.</summary>
    public long Size { get; private set; }

    /// <summary>Refill time of a full bucket, in milliseconds.</summary>
    public long RefillTimeMs => _refillNs / NsPerMs;

    /// <summary>What is left of the one-time burst.</summary>
    public long OneTimeBurst { get; private set; }

    /// <summary>Tokens in the bucket as of the last refill; negative while a frame larger than the bucket is paid
    /// back.</summary>
    public long Budget { get; private set; }

    /// <summary>Credits the tokens earned up to <paramref name="nowNs"/> (a time before the last one credits
    /// nothing).</summary>
    public void Refill(long nowNs)
    {
        if (nowNs <= _lastNs)
        {
            return;
        }
        Int128 earned = (Int128)(nowNs - _lastNs) * Size + _carry;
        _lastNs = nowNs;
        Int128 tokens = earned / _refillNs;
        if (Budget + tokens >= Size)
        {
            Budget = Size;
            _carry = 0;
            return;
        }
        Budget += (long)tokens;
        _carry = (long)(earned % _refillNs);
    }

    /// <summary>
    /// Whether <paramref name="tokens"/> can be taken now (after a <see cref="Refill"/>): the burst and the budget
    /// cover them, or the bucket is full (a frame larger than the bucket).
    /// </summary>
    public bool CanTake(long tokens) => tokens <= OneTimeBurst + Budget || Budget >= Size;

    /// <summary>Takes <paramref name="tokens"/>, from the one-time burst first.</summary>
    public void Take(long tokens)
    {
        long fromBurst = Math.Min(OneTimeBurst, tokens);
        OneTimeBurst -= fromBurst;
        Budget -= tokens - fromBurst;
    }

    /// <summary>
    /// The earliest time at which <paramref name="tokens"/> can be taken, given no other take: the time the refill
    /// needs to bring the budget to what <see cref="CanTake"/> asks (rounded up to the nanosecond).
    /// </summary>
    public long DueNs(long tokens)
    {
        long target = Math.Min(tokens - OneTimeBurst, Size);
        if (Budget >= target)
        {
            return _lastNs;
        }
        Int128 needed = (Int128)(target - Budget) * _refillNs - _carry;
        Int128 ns = (needed + Size - 1) / Size;
        return _lastNs + (long)ns;
    }

    /// <summary>
    /// A live change (docs/rate-limits.md#live-changes): what was earned so far at the old rate is credited, then
    /// the new size, refill time and one-time burst apply and the budget is capped to the new size.
    /// </summary>
    public void Update(BucketSettings settings, long nowNs)
    {
        if (settings.IsOff)
        {
            throw new ArgumentException("turning a bucket off removes it", nameof(settings));
        }
        Refill(nowNs);
        Size = settings.Size;
        _refillNs = settings.RefillTimeMs * NsPerMs;
        OneTimeBurst = settings.OneTimeBurst;
        Budget = Math.Min(Budget, Size);
        _carry = 0;
    }
}
