namespace Tap.Core.RateLimit;

/// <summary>
/// One token bucket as configured, Firecracker's three numbers: <see cref="Size"/> tokens (bytes or frames) that
/// refill in <see cref="RefillTimeMs"/>, plus <see cref="OneTimeBurst"/> tokens given once that never refill.
/// A size or a refill time of 0 turns the bucket off (docs/rate-limits.md#buckets).
/// </summary>
public readonly record struct BucketSettings(long Size, long OneTimeBurst, long RefillTimeMs)
{
    /// <summary>The largest size, burst or refill time taken: keeps every product of the arithmetic in 128 bits
    /// and every budget in 64 (2^62 bytes is far beyond any link).</summary>
    public const long MaxValue = 1L << 62;

    /// <summary>A bucket that limits nothing.</summary>
    public static BucketSettings Off => default;

    /// <summary>True when this bucket limits nothing.</summary>
    public bool IsOff => Size == 0 || RefillTimeMs == 0;
}
