using Tap.Sim;
using Tap.Sim.Scenarios;
using Tap.Trace;

namespace Tap.Tests.Trace;

/// <summary>
/// One description of a kernel call (docs/trace-format.md §8): the simulated kernel's record and
/// a trace of the same run say every call and its result in the same words. The simulator's own events (dispatch,
/// host side, vhost worker) are lower case; every record line that starts upper case is a call.
/// </summary>
public sealed class SharedCallSpellingTests
{
    public static TheoryData<string> Cases => new(SimTraceCases.All.Keys);

    // The traced run keeps the simulator's data path out of its record (RecordDataPath off), and the trace spells
    // payloads in full or hashed where the record keeps lengths: these calls are compared by the data-path tests.
    private static readonly string[] DataPathCalls = ["Read", "Write", "SendTo", "ClockMonotonic"];

    [Theory(DisplayName = "Kernel calls: the simulator's record and the trace of the same run spell every call alike")]
    [MemberData(nameof(Cases))]
    public void RecordAndTraceAgree(string name)
    {
        var c = SimTraceCases.All[name];
        SimKernel? kernel = null;
        var sink = new MemoryTraceSink();
        TracedNetdevRun.Run(7, c.Netdevs, 200, sink, c.Payloads, k =>
        {
            c.Setup?.Invoke(k);
            kernel = k;
        });
        var trace = TraceFile.Parse(SimTraceCases.Bytes(sink.Text));
        var traced = trace.Records
            .Where(r => r.Kind == TraceRecordKind.Call && !DataPathCalls.Contains(r.Body.Split(' ')[0]))
            .Select(r => r.Body)
            .ToList();
        var recorded = kernel!.Record.Lines.Where(l => char.IsUpper(l[0])).ToList();

        Assert.True(traced.Count > 10, $"{name}: only {traced.Count} calls traced");
        int first = Enumerable.Range(0, Math.Min(traced.Count, recorded.Count))
            .FirstOrDefault(i => traced[i] != recorded[i], Math.Min(traced.Count, recorded.Count));
        Assert.True(traced.Count == recorded.Count && first == traced.Count,
            $"{name}: call {first} differs:\n  trace:  {traced.ElementAtOrDefault(first) ?? "(end)"}\n"
            + $"  record: {recorded.ElementAtOrDefault(first) ?? "(end)"}");
    }
}
