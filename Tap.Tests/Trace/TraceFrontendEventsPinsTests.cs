using Tap.Core.RateLimit;
using Tap.Trace;

namespace Tap.Tests.Trace;

/// <summary>
/// Pins of the front end's events and notes as traces spell them (docs/trace-format.md §5), left open by the
/// 2026-12-03 mutation run.
/// </summary>
public sealed class TraceFrontendEventsPinsTests
{
    private sealed class Log : ITraceEvents
    {
        public List<string> Lines { get; } = new();

        public void Event(string body) => Lines.Add("E " + body);

        public void Note(string body) => Lines.Add("N " + body);
    }

    [Fact(DisplayName = "Trace events: a stop is 'stop', a signal is 'signal N', and a rate limit added is " +
        "'ratelimit \"ID\" ok'")]
    public void Spellings()
    {
        var log = new Log();
        var events = new TraceFrontendEvents(log);
        events.Stopped(0);
        events.Stopped(15);
        events.RateLimitDone("r0", null);
        events.RateLimitDone("r1", "no such netdev");
        Assert.Equal(
            ["E stop", "E signal 15", "N ratelimit \"r0\" ok", "N ratelimit \"r1\" error \"no such netdev\""],
            log.Lines);
    }

    [Fact(DisplayName = "Trace events: bucket values 0 to 2^62 are read, -1 and 2^62 + 1 are out of range")]
    public void BucketRange()
    {
        const long Max = 4611686018427387904; // 2^62, the largest bucket value a limit takes
        var s = TraceFrontendEvents.ParseBuckets(["0", $"{Max}", "1", "2", "3", "4"], 0);
        Assert.Equal(new BucketSettings(0, Max, 1), s.Bandwidth);
        Assert.Equal(new BucketSettings(2, 3, 4), s.Ops);
        foreach (string bad in new[] { "-1", $"{Max + 1}" })
        {
            var e = Assert.Throws<FormatException>(() => TraceFrontendEvents.ParseBuckets([bad, "0", "0", "0",
                "0", "0"], 0));
            Assert.Equal($"bucket value {bad} out of range", e.Message);
        }
    }
}
