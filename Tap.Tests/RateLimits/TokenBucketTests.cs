using Tap.Core.RateLimit;

namespace Tap.Tests.RateLimits;

/// <summary>The token bucket against Firecracker's rules, with numbers worked out by hand.</summary>
public sealed class TokenBucketTests
{
    private const long Ms = 1_000_000;

    [Fact(DisplayName = "Rate limits: a bucket starts full; the one-time burst goes first and never comes back")]
    public void StartsFullBurstFirst()
    {
        var b = new TokenBucket(new BucketSettings(1000, 500, 100), 0);
        Assert.Equal((1000L, 500L), (b.Budget, b.OneTimeBurst));
        Assert.True(b.CanTake(1500));
        b.Take(700);
        Assert.Equal((800L, 0L), (b.Budget, b.OneTimeBurst));    // 500 from the burst, the other 200 from the budget
        b.Take(200);
        Assert.Equal(600L, b.Budget);
        b.Refill(1000 * Ms);                                     // ages later: full again, the burst stays spent
        Assert.Equal((1000L, 0L), (b.Budget, b.OneTimeBurst));
    }

    [Fact(DisplayName = "Rate limits: refill is size per refill time, and the fractions of a token are carried")]
    public void RefillCarriesFractions()
    {
        // 3 tokens per 10 ms: one token every 3.333... ms. Refilled every millisecond, Firecracker's integer
        // division credits 0 each time; the carry credits 3 by 10 ms.
        var b = new TokenBucket(new BucketSettings(3, 0, 10), 0);
        b.Take(3);
        for (long t = 1; t <= 10; t++)
        {
            b.Refill(t * Ms);
        }
        Assert.Equal(3L, b.Budget);
        var c = new TokenBucket(new BucketSettings(1000, 0, 1000), 0);
        c.Take(1000);
        c.Refill(123 * Ms);
        Assert.Equal(123L, c.Budget);
    }

    [Fact(DisplayName = "Rate limits: the due time is when the refill covers the frame, to the nanosecond")]
    public void DueTime()
    {
        var b = new TokenBucket(new BucketSettings(1000, 0, 1000), 0);  // 1 token per ms
        b.Take(1000);
        Assert.False(b.CanTake(100));
        Assert.Equal(100 * Ms, b.DueNs(100));
        b.Refill(100 * Ms - 1);
        Assert.False(b.CanTake(100));
        b.Refill(100 * Ms);
        Assert.True(b.CanTake(100));
        var thirds = new TokenBucket(new BucketSettings(3, 0, 10), 0);
        thirds.Take(3);
        Assert.Equal(3_333_334L, thirds.DueNs(1));              // 10 ms / 3, rounded up
    }

    [Fact(DisplayName = "Rate limits: a frame larger than the bucket passes from a full bucket and leaves a debt")]
    public void OversizeFrameIsDebt()
    {
        var b = new TokenBucket(new BucketSettings(1000, 0, 1000), 0);
        Assert.True(b.CanTake(2500));
        b.Take(2500);
        Assert.Equal(-1500L, b.Budget);
        Assert.False(b.CanTake(2500));
        Assert.Equal(2500 * Ms, b.DueNs(2500));                  // paid back (1500 ms), then full again (1000 ms)
        b.Refill(2500 * Ms);
        Assert.True(b.CanTake(2500));
    }

    [Fact(DisplayName = "Rate limits: a live change credits the old rate up to now and caps the budget to the new size")]
    public void UpdateCaps()
    {
        var b = new TokenBucket(new BucketSettings(1000, 0, 1000), 0);
        b.Take(1000);
        b.Update(new BucketSettings(100, 50, 10), 400 * Ms);     // 400 earned at the old rate, capped to 100
        Assert.Equal((100L, 50L, 10L), (b.Budget, b.OneTimeBurst, b.RefillTimeMs));
        b.Take(150);
        Assert.Equal(0L, b.Budget);
        b.Refill(405 * Ms);                                      // new rate: 10 tokens per ms
        Assert.Equal(50L, b.Budget);
        b.Update(new BucketSettings(5000, 0, 1000), 405 * Ms);   // a bigger bucket does not fill by itself
        Assert.Equal(50L, b.Budget);
    }

    [Fact(DisplayName = "Rate limits: a size or a refill time of 0 turns a bucket off")]
    public void ZeroIsOff()
    {
        Assert.True(new BucketSettings(0, 100, 100).IsOff);
        Assert.True(new BucketSettings(100, 100, 0).IsOff);
        Assert.False(new BucketSettings(1, 0, 1).IsOff);
        Assert.Throws<ArgumentException>(() => new TokenBucket(new BucketSettings(0, 0, 10), 0));
    }
}
