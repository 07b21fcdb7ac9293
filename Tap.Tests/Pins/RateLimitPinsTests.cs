using Tap.Core.Abi;
using Tap.Core.Net;
using Tap.Core.Os;
using Tap.Core.RateLimit;
using Tap.Sim;
using Tap.Tests.Core;
using Limits = Tap.Core.RateLimit.RateLimits;

namespace Tap.Tests.Pins;

/// <summary>
/// Rate limits (docs/rate-limits.md) at their edges, on scripted clients over the simulated kernel's clock and
/// timerfds: who counts a wait, when the shared timer is armed (each due time once), what a live change releases,
/// and the fail-open path when the timer cannot be made or armed. Times are written out in nanoseconds.
/// </summary>
public sealed class RateLimitPinsTests
{
    private const long Ms = 1_000_000;
    private const long Start = 1_000_000_000; // the simulated clock's first reading

    /// <summary>One frame per 10 ms, nothing else.</summary>
    private static readonly RateLimitSettings OneFramePer10Ms = new(BucketSettings.Off, new BucketSettings(1, 0, 10));

    private readonly SimKernel _kernel = new(51);
    private readonly NetStack _stack = new();

    private IEnumerable<string> Armed() => _kernel.Record.Lines
        .Where(l => l.StartsWith("TimerFdSetTime ", StringComparison.Ordinal))
        .Select(l => l[(l.IndexOf(' ', "TimerFdSetTime ".Length) + 1)..]);

    private static string At(long ms) => $"{Start + ms * Ms} -> ok";

    private (ScriptedClient Sender, ScriptedClient Receiver) Pair(string sender, string receiver)
    {
        var s = new ScriptedClient(_stack, null, sender);
        var r = new ScriptedClient(_stack, s, receiver);
        return (s, r);
    }

    [Fact(DisplayName = "Rate limits: a wait counts one throttle and arms the timer for when the token is due")]
    public void ThrottleAndDueTime()
    {
        var limits = new Limits(_stack, _kernel);
        var (a, b) = Pair("a", "b");
        Assert.Null(limits.Add("r0", "a", RateDirection.Tx, OneFramePer10Ms));
        var l = limits.Find("r0")!;
        Assert.Equal(64, a.SendAsync(ScriptedClient.Frame(1), a));
        Assert.Equal(0, a.SendAsync(ScriptedClient.Frame(2), a));
        Assert.Equal(0, a.SendAsync(ScriptedClient.Frame(3), a));
        Assert.True(l.Blocked);
        Assert.Equal(Start + 10 * Ms, l.DueNs);
        Assert.Equal((1L, 1L, 64L), (l.Throttles, l.PassedFrames, l.PassedBytes));
        Assert.Equal(new[] { At(10) }, Armed());
        _kernel.RunUntilIdle();
        Assert.Equal(3, b.Got.Count);
        Assert.Equal(new[] { At(10), At(20) }, Armed());
        Assert.Equal((2L, 3L), (l.Throttles, l.PassedFrames));
        Assert.False(l.Blocked);
    }

    [Fact(DisplayName = "Rate limits: a blocked limiter refuses every queue of its netdev at once, counting no new wait")]
    public void BlockedRefusesOtherQueues()
    {
        var limits = new Limits(_stack, _kernel);
        var (q0, r0) = Pair("t", "p0");
        var (q1, r1) = Pair("t", "p1");
        Assert.Null(limits.Add("r0", "t", RateDirection.Tx, OneFramePer10Ms));
        var l = limits.Find("r0")!;
        Assert.Equal(64, q0.SendAsync(ScriptedClient.Frame(1), q0));
        Assert.Equal(0, q0.SendAsync(ScriptedClient.Frame(2), q0));
        Assert.Equal(0, q1.SendAsync(ScriptedClient.Frame(3), q1));
        Assert.Empty(r1.Got);
        Assert.Equal(1L, l.Throttles);
        Assert.Equal(new[] { At(10) }, Armed());
    }

    [Fact(DisplayName = "Rate limits: the timer releases only the limiters whose tokens are due, and is armed again")]
    public void TimerReleasesOnlyDue()
    {
        var limits = new Limits(_stack, _kernel);
        var (a, b) = Pair("a", "b");
        var (c, d) = Pair("c", "d");
        Assert.Null(limits.Add("fast", "a", RateDirection.Tx, OneFramePer10Ms));
        Assert.Null(limits.Add("slow", "c", RateDirection.Tx,
            new RateLimitSettings(BucketSettings.Off, new BucketSettings(1, 0, 50))));
        a.SendAsync(ScriptedClient.Frame(1), a);
        a.SendAsync(ScriptedClient.Frame(2), a);
        c.SendAsync(ScriptedClient.Frame(3), c);
        c.SendAsync(ScriptedClient.Frame(4), c);
        var slow = limits.Find("slow")!;
        Assert.Equal(new[] { At(10) }, Armed()); // the later due time does not move the timer

        _kernel.AdvanceTime(10 * Ms);
        limits.OnReadable();
        Assert.Equal(2, b.Got.Count);
        Assert.Single(d.Got);
        Assert.True(slow.Blocked);
        Assert.Equal(1L, slow.Throttles);
        Assert.Equal(new[] { At(10), At(50) }, Armed());

        _kernel.AdvanceTime(40 * Ms);
        limits.OnReadable();
        Assert.Equal(2, d.Got.Count);
        Assert.Equal(new[] { At(10), At(50) }, Armed()); // nothing waits: not armed again
    }

    [Fact(DisplayName = "Rate limits: two limiters due at the same time arm the timer once")]
    public void SameDueArmsOnce()
    {
        var limits = new Limits(_stack, _kernel);
        var (a, _) = Pair("a", "b");
        var (c, _) = Pair("c", "d");
        Assert.Null(limits.Add("r0", "a", RateDirection.Tx, OneFramePer10Ms));
        Assert.Null(limits.Add("r1", "c", RateDirection.Tx, OneFramePer10Ms));
        a.SendAsync(ScriptedClient.Frame(1), a);
        c.SendAsync(ScriptedClient.Frame(2), c);
        a.SendAsync(ScriptedClient.Frame(3), a);
        c.SendAsync(ScriptedClient.Frame(4), c);
        Assert.Equal(new[] { At(10) }, Armed());
    }

    [Fact(DisplayName = "Rate limits: a live change unblocks the limiter and lets waiting frames go at once")]
    public void UpdateReleasesAtOnce()
    {
        var limits = new Limits(_stack, _kernel);
        var (a, b) = Pair("a", "b");
        Assert.Null(limits.Add("r0", "a", RateDirection.Tx, OneFramePer10Ms));
        a.SendAsync(ScriptedClient.Frame(1), a);
        a.SendAsync(ScriptedClient.Frame(2), a);
        a.SendAsync(ScriptedClient.Frame(3), a);
        Assert.Single(b.Got);
        Assert.Null(limits.Update("r0", new RateLimitSettings(BucketSettings.Off, BucketSettings.Off)));
        Assert.Equal(3, b.Got.Count);
        Assert.False(limits.Find("r0")!.Blocked);
    }

    [Fact(DisplayName = "Rate limits: a live change that still blocks keeps the frames until the new due time")]
    public void UpdateStillBlocked()
    {
        var limits = new Limits(_stack, _kernel);
        var (a, b) = Pair("a", "b");
        Assert.Null(limits.Add("r0", "a", RateDirection.Tx, OneFramePer10Ms));
        a.SendAsync(ScriptedClient.Frame(1), a);
        a.SendAsync(ScriptedClient.Frame(2), a);
        Assert.Null(limits.Update("r0", new RateLimitSettings(BucketSettings.Off, new BucketSettings(1, 0, 30))));
        var l = limits.Find("r0")!;
        Assert.True(l.Blocked);
        Assert.Equal(Start + 30 * Ms, l.DueNs);
        Assert.Equal(new[] { At(10), At(30) }, Armed());
        Assert.Single(b.Got);
    }

    [Theory(DisplayName = "Rate limits: without a timer the limits are dropped, said once, and waiting frames go")]
    [InlineData(nameof(IOsNet.TimerFdCreate), "timerfd_create failed: Too many open files")]
    [InlineData(nameof(IOsNet.TimerFdSetTime), "timerfd_settime failed: Too many open files")]
    public void FailOpen(string call, string why)
    {
        var os = new FaultyOs(_kernel).Fail(call, Errno.EMFILE);
        var limits = new Limits(_stack, os);
        var (a, b) = Pair("a", "b");
        Assert.Null(limits.Add("r0", "a", RateDirection.Tx, OneFramePer10Ms));
        a.SendAsync(ScriptedClient.Frame(1), a);
        a.SendAsync(ScriptedClient.Frame(2), a);
        Assert.Equal(2, b.Got.Count);
        var l = limits.Find("r0")!;
        Assert.Equal(new RateLimitSettings(BucketSettings.Off, BucketSettings.Off), l.Settings);
        Assert.Null(l.Ops);
        Assert.False(l.Blocked);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(64, a.SendAsync(ScriptedClient.Frame(3), a));
        }
        Assert.Equal(new[] { $"rate limits: {why}; limits are no longer applied" },
            _kernel.Reports.Select(r => r.Message));
        Assert.Equal(DiagnosticKind.Warning, _kernel.Reports[0].Kind);

    }

    [Fact(DisplayName = "Rate limits: when the timer fails, frames waiting at every other limiter go too")]
    public void FailOpenReleasesOthers()
    {
        var os = new FaultyOs(_kernel).Fail(nameof(IOsNet.TimerFdSetTime), Errno.EMFILE, nth: 2);
        var limits = new Limits(_stack, os);
        var (a, b) = Pair("a", "b");
        var (c, d) = Pair("c", "d");
        Assert.Null(limits.Add("slow", "a", RateDirection.Tx,
            new RateLimitSettings(BucketSettings.Off, new BucketSettings(1, 0, 50))));
        Assert.Null(limits.Add("fast", "c", RateDirection.Tx, OneFramePer10Ms));
        a.SendAsync(ScriptedClient.Frame(1), a);
        a.SendAsync(ScriptedClient.Frame(2), a);   // waits for 50 ms: the timer is armed
        Assert.Single(b.Got);
        c.SendAsync(ScriptedClient.Frame(3), c);
        c.SendAsync(ScriptedClient.Frame(4), c);   // due earlier: arming again fails, the limits go
        Assert.Equal(2, b.Got.Count);
        Assert.Equal(2, d.Got.Count);
        Assert.Single(_kernel.Reports);
    }

    [Fact(DisplayName = "Rate limits: a limit set again with no timer is dropped again, without a new try or warning")]
    public void NoTimerLimitSetAgain()
    {
        var os = new FaultyOs(_kernel).Fail(nameof(IOsNet.TimerFdCreate), Errno.EMFILE);
        var limits = new Limits(_stack, os);
        var (a, b) = Pair("a", "b");
        Assert.Null(limits.Add("r0", "a", RateDirection.Tx, OneFramePer10Ms));
        a.SendAsync(ScriptedClient.Frame(1), a);
        a.SendAsync(ScriptedClient.Frame(2), a);
        var l = limits.Find("r0")!;
        Assert.Null(limits.Update("r0", OneFramePer10Ms));
        Assert.Equal(64, a.SendAsync(ScriptedClient.Frame(4), a));
        Assert.Equal(64, a.SendAsync(ScriptedClient.Frame(5), a));
        Assert.Equal(4, b.Got.Count);
        Assert.Null(l.Ops);
        Assert.Single(_kernel.Reports);
        Assert.Equal(1, os.Calls.Count(c => c == nameof(IOsNet.TimerFdCreate)));
    }

    [Fact(DisplayName = "Rate limits: Close closes the timer fd, once")]
    public void CloseTimer()
    {
        int before = _kernel.OpenFds.Count;
        var limits = new Limits(_stack, _kernel);
        var (a, _) = Pair("a", "b");
        Assert.Null(limits.Add("r0", "a", RateDirection.Tx, OneFramePer10Ms));
        a.SendAsync(ScriptedClient.Frame(1), a);
        a.SendAsync(ScriptedClient.Frame(2), a);
        Assert.Equal(before + 1, _kernel.OpenFds.Count);
        limits.Close();
        limits.Close();
        Assert.Equal(before, _kernel.OpenFds.Count);
        Assert.Single(_kernel.Record.Lines, l => l.StartsWith("Close ", StringComparison.Ordinal));
    }

    [Fact(DisplayName = "Rate limits: a refill at or before the last one credits nothing and keeps the clock")]
    public void RefillBackwards()
    {
        var b = new TokenBucket(new BucketSettings(1000, 0, 1000), 0);
        b.Take(1000);
        b.Refill(100 * Ms);
        b.Refill(50 * Ms);
        Assert.Equal(100L, b.Budget);
        b.Refill(150 * Ms);
        Assert.Equal(150L, b.Budget);
    }

    [Fact(DisplayName = "Rate limits: the due time counts the one-time burst, and is now when the budget covers it")]
    public void DueWithBurstAndCarry()
    {
        // 1 token per ms; drained, then a live change gives a burst of 50: 80 tokens need 30 more from the refill.
        var b = new TokenBucket(new BucketSettings(100, 0, 100), 0);
        b.Take(100);
        b.Update(new BucketSettings(100, 50, 100), 0);
        Assert.Equal(30 * Ms, b.DueNs(80));

        // 3 tokens per 10 ms; at 5 ms one token is in and half a token's time is carried: 1 token is due now.
        var c = new TokenBucket(new BucketSettings(3, 0, 10), 0);
        c.Take(3);
        c.Refill(5 * Ms);
        Assert.Equal(1L, c.Budget);
        Assert.Equal(5 * Ms, c.DueNs(1));
    }

    [Fact(DisplayName = "Rate limits: a refill that fills the bucket drops the part of a token it carried")]
    public void FillDropsCarry()
    {
        // 3 tokens per 10 ms. At 5 ms: 1 token, half a token's time carried; at 11 ms: 2 more fill it, with
        // 0.9 of a token over, which a full bucket does not keep: after taking 1, the next is a whole 10/3 ms away.
        var b = new TokenBucket(new BucketSettings(3, 0, 10), 0);
        b.Take(3);
        b.Refill(5 * Ms);
        b.Refill(11 * Ms);
        Assert.Equal(3L, b.Budget);
        b.Take(1);
        Assert.Equal(11 * Ms + 3_333_334, b.DueNs(3));
    }

    [Fact(DisplayName = "Rate limits: the shared timer is watched for reading only")]
    public void TimerWatchedForReading()
    {
        var os = new FaultyOs(_kernel);
        var limits = new Limits(_stack, os);
        var (a, _) = Pair("a", "b");
        Assert.Null(limits.Add("r0", "a", RateDirection.Tx, OneFramePer10Ms));
        a.SendAsync(ScriptedClient.Frame(1), a);
        a.SendAsync(ScriptedClient.Frame(2), a);
        Assert.Single(os.FdLog);
        Assert.Matches("^watch [0-9]+ 1 0$", os.FdLog.Single());
    }

    [Fact(DisplayName = "Rate limits: a bucket that is off cannot be made or turned off in place (programmer errors)")]
    public void OffBucketErrors()
    {
        var made = Assert.Throws<ArgumentException>(() => new TokenBucket(new BucketSettings(0, 0, 10), 0));
        Assert.StartsWith("a bucket that is off is no bucket", made.Message);
        var b = new TokenBucket(new BucketSettings(1, 0, 1), 0);
        var off = Assert.Throws<ArgumentException>(() => b.Update(BucketSettings.Off, 0));
        Assert.StartsWith("turning a bucket off removes it", off.Message);
        Assert.Equal("settings", off.ParamName);
    }
}
