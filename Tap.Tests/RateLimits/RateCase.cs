using FsCheck;
using FsCheck.Fluent;
using Tap.Core.RateLimit;

namespace Tap.Tests.RateLimits;

/// <summary>
/// One drawn rate limit: which bucket (bytes or frames), its size as whole frames plus a part of one, its refill
/// time and one-time burst, the frame length, the direction and netdev it is on (tx of tap0 or rx of tap1), and how
/// much simulated time a loop iteration takes (0: work takes no time at all). Frames never exceed the bucket.
/// </summary>
public sealed record RateCase(
    bool Ops, int FrameBytes, int SizeFrames, int SizeExtra, int RefillMs, int BurstFrames, bool Tx, long NsPerIteration,
    ulong Seed)
{
    /// <summary>Tokens one frame costs.</summary>
    public long TokensPerFrame => Ops ? 1 : FrameBytes;

    /// <summary>The bucket's size in tokens.</summary>
    public long Size => Ops ? SizeFrames : (long)SizeFrames * FrameBytes + SizeExtra;

    /// <summary>The one-time burst in tokens.</summary>
    public long Burst => BurstFrames * TokensPerFrame;

    public BucketSettings Bucket => new(Size, Burst, RefillMs);

    public RateLimitSettings Settings =>
        Ops ? new RateLimitSettings(BucketSettings.Off, Bucket) : new RateLimitSettings(Bucket, BucketSettings.Off);

    public string Netdev => Tx ? "t0" : "t1";

    public RateDirection Direction => Tx ? RateDirection.Tx : RateDirection.Rx;

    public static Gen<RateCase> Cases { get; } =
        from ops in Gen.Elements(false, true)
        from frame in Gen.Choose(60, 1514)
        from sizeFrames in Gen.Choose(1, 40)
        from extra in Gen.Choose(0, 59)
        from refill in Gen.Frequency((3, Gen.Choose(1, 100)), (1, Gen.Choose(101, 2000)))
        from burst in Gen.Frequency((1, Gen.Constant(0)), (1, Gen.Choose(1, 30)))
        from tx in Gen.Elements(false, true)
        from ns in Gen.Frequency((1, Gen.Constant(0)), (2, Gen.Choose(1, 50_000)))
        from seed in Gen.Choose(1, int.MaxValue)
        select new RateCase(ops, frame, sizeFrames, extra, refill, burst, tx, ns, (ulong)seed);

    public static Arbitrary<RateCase> Arbitrary() => Arb.From(Cases);
}
