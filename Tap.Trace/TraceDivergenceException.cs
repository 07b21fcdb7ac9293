using System.Text;

namespace Tap.Trace;

/// <summary>
/// The replayed core did something other than what the trace recorded: another call, other arguments, a call where
/// the trace has an event, or the other way round. The message is the whole report: the record, what was recorded,
/// what the core did instead, and the records before it.
/// </summary>
public sealed class TraceDivergenceException : Exception
{
    /// <summary>How many records before the divergence the report shows.</summary>
    public const int ContextRecords = 6;

    public TraceDivergenceException(TraceRecord? expected, string actual, IReadOnlyList<TraceRecord> before,
        long endSeq)
        : base(Report(expected, actual, before, endSeq))
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The record the replay stopped at; null when the trace had ended.</summary>
    public TraceRecord? Expected { get; }

    /// <summary>What the core did instead, spelled as a record body would be.</summary>
    public string Actual { get; }

    private static string Report(TraceRecord? expected, string actual, IReadOnlyList<TraceRecord> before, long endSeq)
    {
        var sb = new StringBuilder();
        if (expected is null)
        {
            sb.Append("replay diverged after the last record (").Append(endSeq).AppendLine("): the trace has ended");
            sb.AppendLine("  recorded: the end of the trace");
        }
        else
        {
            sb.Append("replay diverged at record ").Append(expected.Seq);
            if (expected.Line > 0)
            {
                sb.Append(" (line ").Append(expected.Line).Append(')');
            }
            sb.AppendLine();
            sb.Append("  recorded: ").Append(TraceRecord.Letter(expected.Kind)).Append(' ')
                .AppendLine(Cut(expected.Body));
        }
        sb.Append("  replayed: ").AppendLine(Cut(actual));
        if (before.Count > 0)
        {
            sb.AppendLine("  the records before it:");
            foreach (var r in before)
            {
                sb.Append("    ").AppendLine(Cut(r.ToString()));
            }
        }
        return sb.ToString().TrimEnd();
    }

    // Payloads run to kilobytes of hex; the report shows their start.
    private static string Cut(string s) => s.Length <= 160 ? s : s[..157] + "...";
}
