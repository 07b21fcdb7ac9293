using System.Text;
using Tap.Core.Backend;
using Tap.Core.Frontend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Os;
using Tap.Core.RateLimit;

namespace Tap.Trace;

/// <summary>
/// The front end's operations as trace events and their outcomes as notes (docs/trace-format.md §5): the one
/// spelling the recorder writes and the replayer compares.
/// </summary>
public sealed class TraceFrontendEvents(ITraceEvents trace) : IFrontendEvents
{
    public void CreatingNetdev(int index) => trace.Event(Invariant($"netdev {index}"));

    public void NetdevCreated(int index, NetdevInitResult result) =>
        trace.Note(result.Ok
            ? Invariant($"netdev {index} ok {result.Created.Count}")
            : new StringBuilder(Invariant($"netdev {index} error")).SpStr(result.Error!).ToString());

    public void RunningExitNotifiers() => trace.Event("exit-notifiers");

    public void Capturing(NetClient client) => trace.Event(new StringBuilder("capture ").Client(client).ToString());

    public void PlanningOffloads() => trace.Event("plan-offloads");

    public void Controlling(TapBackend queue, QueueControl op, long argument) =>
        trace.Event(
            new StringBuilder("control ").Client(queue).Append(' ').Append(Word(op)).SpInt(argument).ToString());

    public void Controlled(TapBackend queue, int result) =>
        trace.Note(new StringBuilder("control ").Client(queue).Append(" = ").Append(result).ToString());

    public void Stopped(int signal) => trace.Event(signal == 0 ? "stop" : Invariant($"signal {signal}"));

    public void DeletingAll() => trace.Event("delete-all");

    public void AddingRateLimit(string id, string netdev, RateDirection? direction, RateLimitSettings settings) =>
        trace.Event(Buckets(new StringBuilder("ratelimit-add").SpStr(id).SpStr(netdev).Append(' ')
            .Append(direction is { } d ? RateLimits.Word(d) : "all"), settings).ToString());

    public void SettingRateLimit(string id, RateLimitSettings settings) =>
        trace.Event(Buckets(new StringBuilder("ratelimit-set").SpStr(id), settings).ToString());

    public void RateLimitDone(string id, string? error) =>
        trace.Note(error is null
            ? new StringBuilder("ratelimit").SpStr(id).Append(" ok").ToString()
            : new StringBuilder("ratelimit").SpStr(id).Append(" error").SpStr(error).ToString());

    /// <summary>The six numbers of a limiter's settings, as the events write them.</summary>
    public static StringBuilder Buckets(StringBuilder sb, RateLimitSettings s) =>
        sb.SpInt(s.Bandwidth.Size).SpInt(s.Bandwidth.OneTimeBurst).SpInt(s.Bandwidth.RefillTimeMs)
            .SpInt(s.Ops.Size).SpInt(s.Ops.OneTimeBurst).SpInt(s.Ops.RefillTimeMs);

    /// <summary>Settings from the six numbers at <paramref name="at"/>.</summary>
    /// <exception cref="FormatException">Not six numbers in range.</exception>
    public static RateLimitSettings ParseBuckets(IReadOnlyList<string> t, int at)
    {
        long N(int i)
        {
            long v = TraceText.Number(t[at + i]);
            return v is >= 0 and <= BucketSettings.MaxValue
                ? v
                : throw new FormatException($"bucket value {v} out of range");
        }
        return new RateLimitSettings(new BucketSettings(N(0), N(1), N(2)), new BucketSettings(N(3), N(4), N(5)));
    }

    /// <summary>The word an operation is written as.</summary>
    public static string Word(QueueControl op) => op switch
    {
        QueueControl.Enable => "enable",
        QueueControl.Disable => "disable",
        QueueControl.PollOn => "poll-on",
        QueueControl.PollOff => "poll-off",
        QueueControl.VnetHdrLen => "vnet-hdr-len",
        QueueControl.VnetLe => "vnet-le",
        QueueControl.VnetBe => "vnet-be",
        QueueControl.VhostStart => "vhost-start",
        QueueControl.VhostStop => "vhost-stop",
        _ => "offload",
    };

    /// <summary>The operation written as <paramref name="word"/>, or null.</summary>
    public static QueueControl? FromWord(string word)
    {
        foreach (var op in Enum.GetValues<QueueControl>())
        {
            if (Word(op) == word)
            {
                return op;
            }
        }
        return null;
    }

    private static string Invariant(FormattableString s) => FormattableString.Invariant(s);
}
