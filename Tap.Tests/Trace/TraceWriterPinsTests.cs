using System.Text;
using Tap.Core.Os;
using Tap.Trace;

namespace Tap.Tests.Trace;

/// <summary>
/// Pins of the trace writer (docs/trace-format.md §1) left open by the 2026-12-03 mutation run: a trace ends once,
/// nothing is written after its end, the end reaches the disk, and long records are written whole.
/// </summary>
public sealed class TraceWriterPinsTests
{
    private static readonly TraceHeader Header = new() { TapnetVersion = "1.0", Kernel = "sim" };

    /// <summary>Keeps the sink's calls in order: "append" per record line, "flush" per flush.</summary>
    private sealed class LoggingSink : ITraceSink
    {
        public MemoryTraceSink Bytes { get; } = new();

        public List<string> Calls { get; } = new();

        public void Append(ReadOnlySpan<byte> line)
        {
            Bytes.Append(line);
            Calls.Add("append");
        }

        public void Flush()
        {
            Bytes.Flush();
            Calls.Add("flush");
        }
    }

    [Fact(DisplayName = "Trace writer: after the end record a write is refused ('the trace has ended'), and a second " +
        "end does nothing")]
    public void NothingAfterTheEnd()
    {
        var sink = new LoggingSink();
        var writer = new TraceWriter(sink, Header);
        writer.Write(TraceRecordKind.Event, "stop");
        writer.End();
        Assert.True(writer.Ended);
        long count = writer.Count;
        var e = Assert.Throws<InvalidOperationException>(() => writer.Write(TraceRecordKind.Note, "late"));
        Assert.Equal("the trace has ended", e.Message);
        writer.End();
        Assert.Equal(count, writer.Count);
        var trace = TraceFile.Parse(sink.Bytes.ToArray());
        Assert.Null(trace.Incomplete);
        Assert.Equal(["stop"], trace.Records.Select(r => r.Body));
        Assert.Single(sink.Bytes.Text.Split('\n'), l => l.Contains(" Z end *", StringComparison.Ordinal));
    }

    [Fact(DisplayName = "Trace writer: the end record is flushed to the sink after it is appended")]
    public void EndFlushes()
    {
        var sink = new LoggingSink();
        var writer = new TraceWriter(sink, Header);
        writer.Write(TraceRecordKind.Event, "stop");
        sink.Calls.Clear();
        writer.End();
        Assert.Equal(["append", "flush"], sink.Calls);
    }

    [Fact(DisplayName = "Trace writer: a record of 1000 three-byte characters is written whole and reads back as " +
        "written")]
    public void LongMultiByteRecord()
    {
        var sink = new MemoryTraceSink();
        var writer = new TraceWriter(sink, Header);
        string body = new StringBuilder("ratelimit").SpStr(new string('\u2713', 1000)).Append(" ok").ToString();
        // A body of nothing but three-byte characters leaves the fewest spare bytes for the checksum and newline.
        string bare = new('\u2713', 1000);
        writer.Write(TraceRecordKind.Note, bare); // first, while the line buffer has not yet grown
        writer.Write(TraceRecordKind.Note, body);
        writer.Write(TraceRecordKind.Note, "x");
        writer.End();
        var trace = TraceFile.Parse(sink.ToArray());
        Assert.Equal([bare, body, "x"], trace.Records.Select(r => r.Body));
    }
}
