using Tap.Trace;

namespace Tap.Fuzz.Targets;

/// <summary>
/// The trace reader and replayer (docs/trace-format.md): the input, its record checksums restamped
/// (<see cref="TraceChecksums"/>), is read by <see cref="TraceFile.Parse"/>, which may refuse it only with a
/// <see cref="TraceFormatException"/>, then replayed by <see cref="TraceReplayer.Replay"/>, which must not throw.
/// Every refusal, cut and divergence message must name a line or a record.
/// </summary>
public sealed class TraceTarget : IFuzzTarget
{
    public string Name => "trace";

    public string Description => "trace bytes (checksums restamped) through TraceFile.Parse and TraceReplayer.Replay";

    public void Run(ReadOnlySpan<byte> input)
    {
        byte[] bytes = TraceChecksums.Restamp(input);
        TraceFile trace;
        try
        {
            trace = TraceFile.Parse(bytes);
        }
        catch (TraceFormatException e)
        {
            NamesAPlace("the reader's refusal", e.Message);
            return;
        }
        if (trace.Incomplete is { } cut)
        {
            NamesAPlace("the reader's cut", cut);
        }
        var outcome = TraceReplayer.Replay(trace);
        if (outcome.Verdict != ReplayVerdict.Matched)
        {
            NamesAPlace($"the replay's {outcome.Verdict} report", outcome.Message);
        }
    }

    private static void NamesAPlace(string what, string message) =>
        FuzzFindingException.Check(message.Contains("line ", StringComparison.Ordinal) || message.Contains("record ", StringComparison.Ordinal),
            $"{what} names no line or record: {message}");
}
