using System.Globalization;
using System.Text;

namespace Tap.Trace;

/// <summary>
/// Writes a trace record by record: <c>SEQ K BODY *CRC</c> and a newline, the CRC-32 over everything before
/// <c> *</c>. Each record reaches the sink as one append, so a trace cut by a crash ends in whole records (and at
/// most one cut line, which the reader names).
/// </summary>
public sealed class TraceWriter
{
    private readonly ITraceSink _sink;
    private readonly Lock _lock = new();
    private byte[] _line = new byte[256];

    /// <summary>Starts a trace on <paramref name="sink"/>: the version line, then the header fields.</summary>
    public TraceWriter(ITraceSink sink, TraceHeader header)
    {
        _sink = sink;
        Header = header;
        byte[] magic = Encoding.ASCII.GetBytes($"{TraceHeader.Magic} {TraceHeader.FormatVersion}\n");
        _sink.Append(magic);
        foreach (var body in header.Bodies())
        {
            Write(TraceRecordKind.Header, body);
        }
        _sink.Flush();
    }

    public TraceHeader Header { get; }

    /// <summary>Records written so far, header included.</summary>
    public long Count { get; private set; }

    /// <summary>True once <see cref="End"/> has written the end record.</summary>
    public bool Ended { get; private set; }

    /// <summary>Writes one record with the next sequence number.</summary>
    /// <exception cref="InvalidOperationException">After <see cref="End"/>.</exception>
    public void Write(TraceRecordKind kind, string body)
    {
        lock (_lock)
        {
            if (Ended)
            {
                throw new InvalidOperationException("the trace has ended");
            }
            WriteLocked(kind, body);
        }
    }

    private void WriteLocked(TraceRecordKind kind, string body)
    {
        {
            long seq = Count + 1;
            string text = string.Concat(seq.ToString(CultureInfo.InvariantCulture), " ",
                TraceRecord.Letter(kind).ToString(), " ", body);
            int max = Encoding.UTF8.GetMaxByteCount(text.Length) + 11;
            if (_line.Length < max)
            {
                _line = new byte[Math.Max(max, _line.Length * 2)];
            }
            int n = Encoding.UTF8.GetBytes(text, _line);
            uint crc = System.IO.Hashing.Crc32.HashToUInt32(_line.AsSpan(0, n));
            _line[n++] = (byte)' ';
            _line[n++] = (byte)'*';
            crc.TryFormat(_line.AsSpan(n, 8), out _, "x8", CultureInfo.InvariantCulture);
            n += 8;
            _line[n++] = (byte)'\n';
            _sink.Append(_line.AsSpan(0, n));
            Count = seq;
        }
    }

    /// <summary>Writes the end record and flushes: the trace is complete. A second call does nothing.</summary>
    public void End()
    {
        lock (_lock)
        {
            if (Ended)
            {
                return;
            }
            WriteLocked(TraceRecordKind.End, "end");
            Ended = true;
            _sink.Flush();
        }
    }
}
