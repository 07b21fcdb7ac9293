namespace Tap.Trace;

/// <summary>Where a trace's bytes go: a file on a real host (one write per record, so a crash keeps every whole
/// record), memory in the simulator and in tests.</summary>
public interface ITraceSink
{
    /// <summary>Appends one whole record line.</summary>
    void Append(ReadOnlySpan<byte> line);

    /// <summary>Pushes anything buffered to its destination.</summary>
    void Flush();
}
