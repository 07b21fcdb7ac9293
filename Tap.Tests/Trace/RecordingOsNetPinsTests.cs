using Tap.Core.Os;
using Tap.Sim;
using Tap.Sim.Scenarios;
using Tap.Trace;

namespace Tap.Tests.Trace;

/// <summary>
/// Pins of the recorder and of a traced run (docs/trace-format.md §4, §5) left open by the 2026-12-03 mutation
/// run: the recorder passes everything on to the kernel it wraps, and a traced run records tapnet's whole shape.
/// </summary>
public sealed class RecordingOsNetPinsTests
{
    private static TraceHeader Header(params string[] netdevs) => new()
    {
        TapnetVersion = "1.0",
        Kernel = "sim",
        Netdevs = netdevs.Select(n => new TraceNetdev("-netdev", n)).ToList(),
    };

    [Fact(DisplayName = "Recorder: a diagnostic is recorded and still reaches the wrapped kernel (stderr on a host)")]
    public void ReportPassesOn()
    {
        var kernel = new SimKernel(1);
        var sink = new MemoryTraceSink();
        var recorder = new RecordingOsNet(kernel, new TraceWriter(sink, Header()));
        var d = new Diagnostic(DiagnosticKind.Warning, "vhost-net support is not available");
        recorder.Report(d);
        Assert.Equal([d], kernel.Reports);
        Assert.Contains(" C Report warning \"vhost-net support is not available\" *", sink.Text,
            StringComparison.Ordinal);
    }

    [Fact(DisplayName = "Traced run: the netdevs, the offload plan, the stop signal and the shutdown are recorded in " +
        "order")]
    public void RunShape()
    {
        var sink = new MemoryTraceSink();
        var run = new TracedRun(new SimKernel(1), sink, Header([.. TracedNetdevRun.DefaultNetdevs]));
        Assert.True(run.CreateNetdevs());
        run.Shutdown(15);
        var trace = TraceFile.Parse(sink.ToArray());
        Assert.Null(trace.Incomplete);
        Assert.Equal(
            ["netdev 0", "netdev 1", "netdev 2", "netdev 3", "plan-offloads", "signal 15", "delete-all"],
            trace.Records.Where(r => r.Kind == TraceRecordKind.Event).Select(r => r.Body));
    }

    [Fact(DisplayName = "Recorder: a simulated run through EAGAIN hands writability on to the core, so it replays as " +
        "recorded")]
    public void WritablePassesOn()
    {
        var trace = TraceFile.Parse(SimTraceCases.Bytes(SimTraceCases.Record(SimTraceCases.All["eagain"], 1, 400)));
        int writable = trace.Records.ToList().FindIndex(r => r.Body.StartsWith("writable ", StringComparison.Ordinal));
        Assert.True(writable > 0, "the run reaches a writable dispatch");
        // The core flushes its queue when told the fd is writable: a write follows before the next event.
        var after = trace.Records.Skip(writable + 1).TakeWhile(r => r.Kind != TraceRecordKind.Event);
        Assert.Contains(after, r => r.Body.StartsWith("Write ", StringComparison.Ordinal));
        var outcome = TraceReplayer.Replay(trace);
        Assert.True(outcome.Ok, outcome.Message);
    }
}
