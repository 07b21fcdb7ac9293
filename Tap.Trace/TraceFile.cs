using System.Globalization;
using System.Text;

namespace Tap.Trace;

/// <summary>
/// A trace read back and checked line by line: version, checksums, sequence, record kinds, header. A trace whose
/// recording was cut (a crash, a kill) is still read up to its last whole record, and says so in
/// <see cref="Incomplete"/>; anything else wrong is a <see cref="TraceFormatException"/> naming the line and record.
/// </summary>
public sealed class TraceFile
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false,
        throwOnInvalidBytes: true);

    private TraceFile(TraceHeader header, IReadOnlyList<TraceRecord> records, long headerRecords, string? incomplete)
    {
        Header = header;
        Records = records;
        HeaderRecords = headerRecords;
        Incomplete = incomplete;
    }

    public TraceHeader Header { get; }

    /// <summary>The calls, events and notes after the header, in order; the end record is not among them.</summary>
    public IReadOnlyList<TraceRecord> Records { get; }

    /// <summary>How many header records there are (the first record after them has number this + 1).</summary>
    public long HeaderRecords { get; }

    /// <summary>Why the trace is incomplete (cut line, or no end record); null when it ended cleanly.</summary>
    public string? Incomplete { get; }

    /// <summary>Reads a whole trace.</summary>
    /// <exception cref="TraceFormatException">Anything but a clean trace or one cut short.</exception>
    public static TraceFile Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            throw new TraceFormatException("line 1: the file is empty: not a tapnet trace");
        }
        int firstEnd = bytes.IndexOf((byte)'\n');
        string first = Decode(firstEnd < 0 ? bytes : bytes[..firstEnd], 1, lenient: true);
        CheckVersionLine(first);
        if (firstEnd < 0)
        {
            throw new TraceFormatException("line 1: the trace ends after its version line, before any header");
        }

        var header = new List<TraceRecord>();
        var records = new List<TraceRecord>();
        bool ended = false;
        string? incomplete = null;
        long seq = 0;
        int lineNo = 1;
        var rest = bytes[(firstEnd + 1)..];
        while (!rest.IsEmpty)
        {
            lineNo++;
            int end = rest.IndexOf((byte)'\n');
            if (end < 0)
            {
                incomplete = $"line {lineNo} is cut short after record {seq}: the recording stopped in the middle of " +
                    "a record";
                break;
            }
            var line = rest[..end];
            rest = rest[(end + 1)..];
            if (ended)
            {
                throw new TraceFormatException($"line {lineNo}: data after the end record (record {seq})");
            }
            var record = ParseLine(line, lineNo, seq + 1);
            seq = record.Seq;
            switch (record.Kind)
            {
                case TraceRecordKind.Header when records.Count > 0:
                    throw TraceFormatException.At(record, "a header field after the first call or event");
                case TraceRecordKind.Header:
                    header.Add(record);
                    break;
                case TraceRecordKind.End:
                    if (record.Body != "end")
                    {
                        throw TraceFormatException.At(record,
                            $"the end record must read 'end', found {TraceText.Shorten(record.Body)}");
                    }
                    ended = true;
                    break;
                default:
                    CheckTokens(record);
                    records.Add(record);
                    break;
            }
        }
        if (!ended && incomplete is null)
        {
            incomplete = $"the trace ends after record {seq} without its end record: the recording stopped before " +
                "tapnet finished";
        }
        var parsedHeader = TraceHeader.FromRecords(header, records.Count > 0 ? records[0] : null);
        return new TraceFile(parsedHeader, records, header.Count, incomplete);
    }

    private static void CheckVersionLine(string first)
    {
        string prefix = TraceHeader.Magic + " ";
        if (!first.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new TraceFormatException(
                $"line 1: not a tapnet trace (it starts {TraceText.Shorten(first)}, not '{TraceHeader.Magic} " +
                $"{TraceHeader.FormatVersion}')");
        }
        string version = first[prefix.Length..];
        if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out int v))
        {
            throw new TraceFormatException($"line 1: the format version {TraceText.Shorten(version)} is not a number");
        }
        if (v != TraceHeader.FormatVersion)
        {
            throw new TraceFormatException(
                $"line 1: trace format version {v} is not supported: this tapnet reads version " +
                $"{TraceHeader.FormatVersion}");
        }
    }

    private static TraceRecord ParseLine(ReadOnlySpan<byte> line, int lineNo, long expectedSeq)
    {
        const int SuffixBytes = 10; // " *" and eight hex digits
        if (line.Length < SuffixBytes + 5 || line[^SuffixBytes] != (byte)' ' || line[^(SuffixBytes - 1)] != (byte)'*')
        {
            throw new TraceFormatException($"line {lineNo} (record {expectedSeq}): no checksum at the end of the line");
        }
        var content = line[..^SuffixBytes];
        string crcText = Encoding.ASCII.GetString(line[^8..]);
        if (!uint.TryParse(crcText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint crc)
            || crcText.ToLowerInvariant() != crcText)
        {
            throw new TraceFormatException(
                $"line {lineNo} (record {expectedSeq}): the checksum '{crcText}' is not eight lower-case hex digits");
        }
        if (System.IO.Hashing.Crc32.HashToUInt32(content) != crc)
        {
            throw new TraceFormatException(
                $"line {lineNo} (record {expectedSeq}): checksum mismatch: the record was damaged or edited after it " +
                "was written");
        }
        string text = Decode(content, lineNo, lenient: false);
        int sp1 = text.IndexOf(' ');
        if (sp1 <= 0 || sp1 + 3 >= text.Length || text[sp1 + 2] != ' ')
        {
            throw new TraceFormatException(
                $"line {lineNo} (record {expectedSeq}): expected 'SEQ KIND BODY', found {TraceText.Shorten(text)}");
        }
        if (!long.TryParse(text.AsSpan(0, sp1), NumberStyles.None, CultureInfo.InvariantCulture, out long seq)
            || seq != expectedSeq)
        {
            throw new TraceFormatException(
                $"line {lineNo}: expected record {expectedSeq}, found {TraceText.Shorten(text[..sp1])}: records are " +
                "missing, repeated or out of order");
        }
        TraceRecordKind kind = text[sp1 + 1] switch
        {
            'H' => TraceRecordKind.Header,
            'C' => TraceRecordKind.Call,
            'E' => TraceRecordKind.Event,
            'N' => TraceRecordKind.Note,
            'Z' => TraceRecordKind.End,
            char k => throw new TraceFormatException($"line {lineNo} (record {seq}): unknown record kind '{k}'"),
        };
        return new TraceRecord(seq, kind, text[(sp1 + 3)..], lineNo);
    }

    private static void CheckTokens(TraceRecord record)
    {
        try
        {
            _ = record.Tokens;
        }
        catch (FormatException e)
        {
            throw TraceFormatException.At(record, e.Message);
        }
    }

    private static string Decode(ReadOnlySpan<byte> bytes, int lineNo, bool lenient)
    {
        try
        {
            return lenient ? Encoding.UTF8.GetString(bytes) : StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new TraceFormatException($"line {lineNo}: not UTF-8 text");
        }
    }
}
