using FsCheck.Fluent;
using Tap.Core.RateLimit;
using Tap.Tests.Properties;

namespace Tap.Tests.RateLimits;

/// <summary>
/// Issue 16 (rate limits) in the simulator: long runs keep to the configured rate, no burst exceeds the bucket, a throttled
/// queue drains, and a live change caps the budget to the new size. Every expected figure comes from the token
/// bucket's definition (size + one-time burst + size x elapsed / refill time), computed here in 128-bit integers,
/// never from the product's own numbers.
/// </summary>
public sealed class RateLimitProperties
{
    private const long NsPerMs = 1_000_000;
    private const int Cases = 25;
    private const int MaxIterations = 400_000;

    /// <summary>Tokens the envelope allows <paramref name="elapsedNs"/> after the start, times refill ns.</summary>
    private static Int128 Envelope(long size, long burst, long refillMs, long elapsedNs) =>
        (Int128)(size + burst) * refillMs * NsPerMs + (Int128)size * elapsedNs;

    [Fact(DisplayName = "Rate limits (issue 16): over a long run the rate is within 1% of size/refill time; no burst beyond size + one-time burst")]
    public void RateAndBurst() => PropertyRun.Check(nameof(RateAndBurst), RateCase.Arbitrary(), Cases, c =>
    {
        var rig = new HubRig(c.Seed, c.NsPerIteration);
        rig.Limit(c.Netdev, c.Direction, c.Settings);
        var frame = new byte[c.FrameBytes];
        long start = rig.Kernel.NowNs;
        long refillNs = c.RefillMs * NsPerMs;
        // Long enough for 300 frames and 40 refills, so one frame is well under 1% of what passes.
        long refills = Math.Max(40, (300 * c.TokensPerFrame + c.Size - 1) / c.Size);
        long end = start + refills * refillNs;
        long instant = start, atInstant = 0;
        for (int i = 0; rig.Kernel.NowNs < end; i++)
        {
            Assert.True(i < MaxIterations, $"no end after {i} iterations: {c}");
            rig.TopUp(frame);
            long before = rig.Delivered;
            rig.Step();
            long now = rig.Kernel.NowNs;
            atInstant = now == instant ? atInstant + rig.Delivered - before : rig.Delivered - before;
            instant = now;
            Assert.True(atInstant * c.TokensPerFrame <= c.Size + c.Burst,
                $"{atInstant} frames at one instant, beyond {c.Size} + {c.Burst} tokens: {c}");
            Assert.True((Int128)rig.Delivered * c.TokensPerFrame * refillNs <= Envelope(c.Size, c.Burst, c.RefillMs, now - start),
                $"{rig.Delivered} frames by {now - start} ns exceed the bucket's envelope: {c}");
        }
        long elapsed = rig.Kernel.NowNs - start;
        Int128 allowed = Envelope(c.Size, c.Burst, c.RefillMs, elapsed);
        Int128 got = (Int128)rig.Delivered * c.TokensPerFrame * refillNs;
        Assert.True(got * 100 >= allowed * 99,
            $"delivered {rig.Delivered} frames ({(double)(got * 10000 / allowed) / 100}% of the envelope) in {elapsed} ns: {c}");
        return true;
    });

    [Fact(DisplayName = "Rate limits (issue 16): a throttled queue drains once tokens return, by the time the bucket allows, no later")]
    public void ThrottledQueueDrains() => PropertyRun.Check(nameof(ThrottledQueueDrains), RateCase.Arbitrary(), Cases, c =>
    {
        var rig = new HubRig(c.Seed);
        var limiter = rig.Limit(c.Netdev, c.Direction, c.Settings);
        int frames = (int)(c.Seed % 900) + 1;
        rig.Send(new byte[c.FrameBytes], frames);
        long start = rig.Kernel.NowNs;
        int i = 0;
        while (rig.Kernel.RunOnce() > 0)
        {
            rig.Take();
            Assert.True(++i < MaxIterations, $"still busy after {i} iterations: {c}");
        }
        rig.Take();
        Assert.Equal(frames, rig.Delivered);
        Assert.False(limiter.Blocked);
        Assert.Equal(0, rig.Kernel.Device("tap0")!.Queues[0].Pending);
        Assert.All(rig.Stack.Clients, client => Assert.Equal(0, client.IncomingQueue.Count));
        // The last frame passes when the envelope first covers all of them: (n x tokens - size - burst) refills.
        long elapsed = rig.Kernel.NowNs - start;
        Int128 owed = (Int128)frames * c.TokensPerFrame - c.Size - c.Burst;
        long earliest = owed <= 0 ? 0 : (long)((owed * c.RefillMs * NsPerMs + c.Size - 1) / c.Size);
        Assert.True(elapsed >= earliest, $"drained in {elapsed} ns, before the bucket allows ({earliest}): {c}");
        // Each wait is rounded up to the nanosecond.
        Assert.True(elapsed <= earliest + frames, $"drained in {elapsed} ns, the bucket allowed {earliest}: {c}");
        return true;
    });

    [Fact(DisplayName = "Rate limits (issue 16): a live change caps the current budget to the new size and the new rate holds from then on")]
    public void LiveChangeCaps() => PropertyRun.Check(nameof(LiveChangeCaps),
        Arb.From(
            from a in RateCase.Cases
            from b in RateCase.Cases
            from beforeRefills in Gen.Choose(0, 5)
            select (a, b with { Ops = a.Ops, FrameBytes = a.FrameBytes, Tx = a.Tx }, beforeRefills)),
        Cases, t =>
    {
        var (c, d, beforeRefills) = t;
        var rig = new HubRig(c.Seed, c.NsPerIteration);
        var limiter = rig.Limit(c.Netdev, c.Direction, c.Settings);
        var frame = new byte[c.FrameBytes];
        long changeAt = rig.Kernel.NowNs + beforeRefills * c.RefillMs * NsPerMs + (long)(c.Seed % 1_000_000);
        for (int i = 0; rig.Kernel.NowNs < changeAt; i++)
        {
            Assert.True(i < MaxIterations, $"no change after {i} iterations: {c}");
            rig.TopUp(frame);
            rig.Step();
        }
        // Then quiet (the frames left in the ring drain), long enough for the bucket to fill up again in most cases:
        // a change must not hand out the old, bigger budget.
        for (int i = 0; rig.Kernel.RunOnce() > 0; i++)
        {
            Assert.True(i < MaxIterations, $"no quiet after {i} iterations: {c}");
        }
        rig.Take();
        rig.Kernel.AdvanceTime((long)(c.Seed % 3) * c.RefillMs * NsPerMs);
        Assert.Null(rig.Driver.SetRateLimit("r0", d.Settings));
        var bucket = d.Ops ? limiter.Ops! : limiter.Bandwidth!;
        long changed = rig.Kernel.NowNs;
        long before = rig.Delivered;
        rig.Take();
        // What the change let through at once, plus what is left, is at most the new bucket and burst.
        Assert.True((rig.Delivered - before) * d.TokensPerFrame + Math.Max(0, bucket.Budget) <= d.Size + d.Burst,
            $"after the change to {d.Size}: {rig.Delivered - before} frames passed and {bucket.Budget} are left: {c} -> {d}");
        long end = changed + 20 * d.RefillMs * NsPerMs;
        for (int i = 0; rig.Kernel.NowNs < end; i++)
        {
            Assert.True(i < MaxIterations, $"no end after {i} iterations: {d}");
            rig.TopUp(frame);
            rig.Step();
            Int128 since = (Int128)(rig.Delivered - before) * d.TokensPerFrame * d.RefillMs * NsPerMs;
            Assert.True(since <= Envelope(d.Size, d.Burst, d.RefillMs, rig.Kernel.NowNs - changed),
                $"{rig.Delivered - before} frames since the change exceed the new bucket's envelope: {c} -> {d}");
        }
        return true;
    });
}
