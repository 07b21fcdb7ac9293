namespace Tap.Trace;

/// <summary>A trace that cannot be read or replayed as written: damaged, cut, of another version, or edited into
/// something no kernel answers. The message names the line and the record.</summary>
public sealed class TraceFormatException : Exception
{
    public TraceFormatException(string message) : base(message)
    {
    }

    public TraceFormatException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>A problem with <paramref name="record"/>, named by line and sequence number.</summary>
    public static TraceFormatException At(TraceRecord record, string problem) =>
        new(record.Line > 0 ? $"line {record.Line} (record {record.Seq}): {problem}"
            : $"record {record.Seq}: {problem}");
}
