using System.Globalization;
using System.Text;
using Tap.Trace;

namespace Tap.Tests.Trace;

/// <summary>
/// A trace taken apart into its version line and records, to be edited and written back with sequence numbers and
/// checksums recomputed: an edit then reaches the check it aims at instead of stopping at the checksum. Record
/// <c>i</c> (from 0) is written as record <c>i + 1</c> on line <c>i + 2</c>, the version line being line 1.
/// </summary>
internal sealed class TraceEdit
{
    private TraceEdit(string version, List<Rec> records)
    {
        Version = version;
        Records = records;
    }

    /// <summary>One record: its kind letter and body, as between sequence number and checksum.</summary>
    public sealed record Rec(char Kind, string Body)
    {
        public override string ToString() => $"{Kind} {Body}";
    }

    public string Version { get; set; }

    public List<Rec> Records { get; }

    /// <summary>Takes <paramref name="text"/> apart; it must be a trace as the writer writes it.</summary>
    public static TraceEdit Of(string text)
    {
        var lines = Lines(text);
        var records = new List<Rec>();
        foreach (string line in lines.Skip(1))
        {
            int sp = line.IndexOf(' ');
            records.Add(new Rec(line[sp + 1], line[(sp + 3)..^10]));
        }
        return new TraceEdit(lines[0], records);
    }

    /// <summary>The trace written back, every record renumbered and re-checksummed.</summary>
    public string Text
    {
        get
        {
            var sb = new StringBuilder(Version).Append('\n');
            for (int i = 0; i < Records.Count; i++)
            {
                sb.Append(Line(i + 1, Records[i].Kind, Records[i].Body)).Append('\n');
            }
            return sb.ToString();
        }
    }

    public byte[] Bytes => Encoding.UTF8.GetBytes(Text);

    /// <summary>The index of the first record that starts <paramref name="prefix"/> (kind letter, space, body).</summary>
    public int IndexOf(string prefix, int from = 0)
    {
        for (int i = from; i < Records.Count; i++)
        {
            if (Records[i].ToString().StartsWith(prefix, StringComparison.Ordinal))
            {
                return i;
            }
        }
        throw new InvalidOperationException($"no record starts {prefix}");
    }

    public static long SeqOf(int index) => index + 1;

    public static int LineOf(int index) => index + 2;

    /// <summary>A record line as the writer writes it, without its newline.</summary>
    public static string Line(long seq, char kind, string body)
    {
        string content = string.Concat(seq.ToString(CultureInfo.InvariantCulture), " ", kind.ToString(), " ", body);
        return content + " *" + System.IO.Hashing.Crc32.HashToUInt32(Encoding.UTF8.GetBytes(content)).ToString("x8", CultureInfo.InvariantCulture);
    }

    /// <summary>The lines of <paramref name="text"/>, without newlines; the version line first.</summary>
    public static List<string> Lines(string text)
    {
        var lines = text.Split('\n').ToList();
        if (lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }
        return lines;
    }

    /// <summary>Lines joined as a trace file, each ending in a newline.</summary>
    public static string Join(IEnumerable<string> lines) => string.Concat(lines.Select(l => l + "\n"));

    /// <summary>A body with token <paramref name="index"/> replaced by <paramref name="token"/> (null drops it).</summary>
    public static string WithToken(string body, int index, string? token)
    {
        var tokens = TraceText.Split(body);
        if (token is null)
        {
            tokens.RemoveAt(index);
        }
        else
        {
            tokens[index] = token;
        }
        return string.Join(' ', tokens);
    }
}
