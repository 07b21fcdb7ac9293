namespace Tap.Trace;

/// <summary>How a replay ended.</summary>
public enum ReplayVerdict
{
    /// <summary>Every record matched, to the end record.</summary>
    Matched,
    /// <summary>
    /// The core did something the trace did not record (<see cref="ReplayOutcome.Message"/> is the report).
    /// </summary>
    Diverged,
    /// <summary>The trace cannot be read or holds something no kernel answers.</summary>
    BadTrace,
    /// <summary>Every whole record matched, but the recording was cut before its end.</summary>
    Incomplete,
}

/// <summary>The end of a replay: verdict, message, and how far it got.</summary>
public sealed record ReplayOutcome(ReplayVerdict Verdict, string Message, int RecordsReplayed, int Events)
{
    public bool Ok => Verdict == ReplayVerdict.Matched;
}
