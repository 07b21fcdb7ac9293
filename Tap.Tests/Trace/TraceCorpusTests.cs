using Tap.Trace;
using Xunit.Abstractions;

namespace Tap.Tests.Trace;

/// <summary>
/// The committed corpus (<c>Tap.Tests/Traces/</c>): traces recorded on a real kernel by
/// <c>TraceRecordingOnLinuxTests</c> (and one simulated, for the EAGAIN path no kernel here produces), replayed on
/// every run with no root and no TUN. A change to the core that alters what it asks of the kernel fails here, with
/// the report pointing at the first record that differs.
/// </summary>
public sealed class TraceCorpusTests(ITestOutputHelper output)
{
    private static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "Traces");

    /// <summary>Every scenario the corpus must hold.</summary>
    private static readonly string[] Scenarios =
        ["hub-vnet-hdr", "hub-no-vnet-hdr", "fd", "fds", "multiqueue", "scripts", "init-error", "bridge-helper", "sim-eagain"];

    public static TheoryData<string> Files => new(Scenarios);

    [Fact(DisplayName = "Trace corpus: every scenario is there, and nothing else")]
    public void CorpusIsComplete()
    {
        var present = Directory.GetFiles(Dir, "*.trace").Select(Path.GetFileNameWithoutExtension).Order().ToList();
        Assert.Equal(Scenarios.Order(), present);
    }

    [Theory(DisplayName = "Trace corpus: each committed trace replays, every record as recorded")]
    [MemberData(nameof(Files))]
    public void Replays(string name)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(Dir, name + ".trace"));
        var trace = TraceFile.Parse(bytes);
        Assert.Null(trace.Incomplete);
        Assert.Equal(name.StartsWith("sim-", StringComparison.Ordinal), trace.Header.Kernel == "sim");
        var outcome = TraceReplayer.Replay(trace);
        Assert.True(outcome.Ok, outcome.Message);
        Assert.Equal(trace.Records.Count, outcome.RecordsReplayed);
        output.WriteLine($"{name}: kernel {trace.Header.Kernel}, {trace.Records.Count} records, {outcome.Events} events, {bytes.Length} bytes");
    }

    [Fact(DisplayName = "Trace corpus: the simulated trace goes through EAGAIN and the writable path (R12/R13)")]
    public void EagainTraceHasTheEagainPath()
    {
        var trace = TraceFile.Parse(File.ReadAllBytes(Path.Combine(Dir, "sim-eagain.trace")));
        Assert.Contains(trace.Records, r => r.Kind == TraceRecordKind.Call && r.Body.StartsWith("Write ", StringComparison.Ordinal) && r.Body.EndsWith("-> err EAGAIN", StringComparison.Ordinal));
        Assert.Contains(trace.Records, r => r.Kind == TraceRecordKind.Event && r.Body.StartsWith("writable ", StringComparison.Ordinal));
        Assert.Contains(trace.Records, r => r.Kind == TraceRecordKind.Note && r.Body.StartsWith("completed ", StringComparison.Ordinal));
    }
}
