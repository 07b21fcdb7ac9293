using System.Text;
using Tap.Core.Frontend;
using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;
using Tap.Core.RateLimit;

namespace Tap.Trace;

/// <summary>
/// Replays a trace: a fresh core on a <see cref="ReplayOsNet"/>, driven by the recorded events in order (the front
/// end's operations and the main loop's dispatches); every call, note and diagnostic the core makes must be the
/// next record. Deterministic: no clock, no kernel, the same trace gives the same outcome every time.
/// </summary>
public static class TraceReplayer
{
    /// <summary>
    /// Replays <paramref name="trace"/>; <paramref name="report"/> sees the recorded diagnostics and
    /// <paramref name="netdevFailed"/> each netdev that failed to be created (its header index and QEMU's message)
    /// as the replay reaches them. With <paramref name="rerecord"/>, the replay is itself recorded there (with the
    /// same header), which must give the same records back.
    /// </summary>
    public static ReplayOutcome Replay(TraceFile trace, Action<Diagnostic>? report = null, ITraceSink? rerecord = null,
        Action<int, string>? netdevFailed = null)
    {
        var replay = new ReplayOsNet(trace) { ReportSink = report };
        RecordingOsNet? recorder = rerecord is null ? null
            : new RecordingOsNet(replay, new TraceWriter(rerecord, trace.Header));
        var stack = new NetStack();
        var checker = new Checker(replay, recorder);
        stack.EventObserver = checker;
        var driver = new CoreDriver(stack, (IOsNet?)recorder ?? replay, trace.Header.Environment,
            new TraceFrontendEvents(checker));
        var netdevs = trace.Header.Netdevs.Select(n => NetdevParser.Parse(n.Value).Options).ToList();
        int events = 0;
        try
        {
            while (replay.TryTakeEvent(out var ev))
            {
                events++;
                Dispatch(ev, replay, driver, netdevs, netdevFailed);
            }
            recorder?.End();
        }
        catch (TraceDivergenceException d) when (d.Expected is null && trace.Incomplete is { } cut)
        {
            // The core went on past the last whole record of a cut trace, as it does when the recording was cut in
            // the middle of an event (a crash): the trace does not say what came next, so nothing diverged.
            return new ReplayOutcome(ReplayVerdict.Incomplete,
                $"all {trace.Records.Count} records after the header match, but {cut} (the replayed core goes on " +
                $"with {TraceText.Shorten(d.Actual)})",
                replay.Position, events);
        }
        catch (TraceDivergenceException d)
        {
            return new ReplayOutcome(ReplayVerdict.Diverged, d.Message, replay.Position, events);
        }
        catch (TraceFormatException f)
        {
            return new ReplayOutcome(ReplayVerdict.BadTrace, f.Message, replay.Position, events);
        }
        long last = trace.HeaderRecords + trace.Records.Count;
        return trace.Incomplete is not null
            ? Incomplete(trace, replay, events)
            : new ReplayOutcome(ReplayVerdict.Matched,
                $"{trace.Records.Count} records and {events} events replayed, every one as recorded (records " +
                $"1-{last + 1})", replay.Position, events);
    }

    private static ReplayOutcome Incomplete(TraceFile trace, ReplayOsNet replay, int events) =>
        new(ReplayVerdict.Incomplete,
            $"all {trace.Records.Count} records after the header match, but {trace.Incomplete}", replay.Position,
                events);

    private static void Dispatch(TraceRecord ev, ReplayOsNet replay, CoreDriver driver, List<NetdevOptions?> netdevs,
        Action<int, string>? netdevFailed)
    {
        var t = ev.Tokens;
        try
        {
            switch (t)
            {
                case ["readable" or "writable", var fdText]:
                    int fd = TraceText.Int(fdText);
                    var watch = replay.WatchOf(fd)
                        ?? throw replay.Diverge(ev, $"nothing: fd {fd} is not watched by the replayed core");
                    if (t[0] == "readable")
                    {
                        watch.Handler.OnReadable();
                    }
                    else if (!watch.Writable)
                    {
                        throw replay.Diverge(ev, $"nothing: the replayed core does not watch fd {fd} for writing");
                    }
                    else
                    {
                        watch.Handler.OnWritable();
                    }
                    break;
                case ["netdev", var indexText]:
                    int index = TraceText.Int(indexText);
                    var options = index >= 0 && index < netdevs.Count ? netdevs[index] : null;
                    // Its outcome note has been checked by now: a failure here is the recorded one.
                    var created = driver.CreateNetdev(index,
                        options ?? throw TraceFormatException.At(ev,
                            $"netdev {index} names no -netdev of the header that parses"));
                    if (!created.Ok)
                    {
                        netdevFailed?.Invoke(index, created.Error!);
                    }
                    break;
                case ["exit-notifiers"]:
                    driver.RunExitNotifiers();
                    break;
                case ["plan-offloads"]:
                    driver.PlanOffloads();
                    break;
                case ["capture", var name, var ordinal]:
                    driver.Capture(Client(ev, replay, driver.Stack, name, ordinal), NoCapture.Instance);
                    break;
                case ["control", var name, var ordinal, var word, var arg]:
                    var op = TraceFrontendEvents.FromWord(word)
                        ?? throw TraceFormatException.At(ev, $"unknown control operation {TraceText.Shorten(word)}");
                    if (Client(ev, replay, driver.Stack, name, ordinal) is not TapBackend queue)
                    {
                        throw TraceFormatException.At(ev, $"control names {name} {ordinal}, which is not a tap queue");
                    }
                    driver.Control(queue, op, TraceText.Number(arg));
                    break;
                case ["ratelimit-add", var id, var netdev, var dir, _, _, _, _, _, _]:
                    RateDirection? direction = dir switch
                    {
                        "rx" => RateDirection.Rx,
                        "tx" => RateDirection.Tx,
                        "all" => null,
                        _ => throw TraceFormatException.At(ev, $"unknown rate limit queue {TraceText.Shorten(dir)}"),
                    };
                    driver.AddRateLimit(TraceText.Unquote(id), TraceText.Unquote(netdev), direction,
                        TraceFrontendEvents.ParseBuckets(t, 4));
                    break;
                case ["ratelimit-set", var id, _, _, _, _, _, _]:
                    driver.SetRateLimit(TraceText.Unquote(id), TraceFrontendEvents.ParseBuckets(t, 2));
                    break;
                case ["stop"]:
                    driver.Stopped(0);
                    break;
                case ["signal", var signal]:
                    int s = TraceText.Int(signal);
                    driver.Stopped(s > 0 ? s : throw TraceFormatException.At(ev, $"signal {s} is no signal"));
                    break;
                case ["delete-all"]:
                    driver.DeleteAll();
                    break;
                default:
                    throw TraceFormatException.At(ev, $"unknown event {TraceText.Shorten(ev.Body)}");
            }
        }
        catch (FormatException e)
        {
            throw TraceFormatException.At(ev, e.Message);
        }
    }

    private static NetClient Client(TraceRecord ev, ReplayOsNet replay, NetStack stack, string nameToken,
        string ordinalToken)
    {
        string name = TraceText.Unquote(nameToken);
        int ordinal = TraceText.Int(ordinalToken);
        return TraceNames.Find(stack, name, ordinal)
            ?? throw replay.Diverge(ev,
                $"nothing: the replayed core has no client {TraceText.Shorten(name)} {ordinal}");
    }

    /// <summary>Checks the core's notes against the trace, and records them again when re-recording.</summary>
    private sealed class Checker(ReplayOsNet replay, RecordingOsNet? recorder) : ITraceEvents, INetEventObserver
    {
        public void Event(string body) => recorder?.Event(body);

        public void Note(string body)
        {
            replay.ExpectNote(body);
            recorder?.Note(body);
        }

        public void OnSendCompleted(NetClient sender, int length) =>
            Note(new StringBuilder("completed ").Client(sender).SpInt(length).ToString());
    }

    /// <summary>
    /// A replay writes no capture file; the capture only has to exist, as it changes the offload plan.
    /// </summary>
    private sealed class NoCapture : IPacketObserver
    {
        public static readonly NoCapture Instance = new();

        public void OnPacket(NetClient client, ReadOnlySpan<byte> packet, bool outgoing)
        {
        }
    }
}
