namespace Tap.Core.RateLimit;

/// <summary>The two buckets of one limiter: bytes (<see cref="Bandwidth"/>) and frames (<see cref="Ops"/>).</summary>
public readonly record struct RateLimitSettings(BucketSettings Bandwidth, BucketSettings Ops);
