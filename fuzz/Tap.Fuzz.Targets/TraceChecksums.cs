using Tap.Trace;

namespace Tap.Fuzz.Targets;

/// <summary>
/// Stamps every record line that ends in <c> *XXXXXXXX</c> with the right CRC-32 of the text before it, so that a
/// mutated record reaches the record and token parsers instead of stopping at the checksum. The checksum check
/// itself is the mangled-trace property's job (TraceMangleProperties).
/// </summary>
internal static class TraceChecksums
{
    private const int SuffixBytes = 10; // " *" and eight hex digits, trace-format.md section 1

    public static byte[] Restamp(ReadOnlySpan<byte> input)
    {
        byte[] bytes = input.ToArray();
        int start = bytes.AsSpan().IndexOf((byte)'\n') + 1;   // the version line has no checksum
        while (start > 0 && start < bytes.Length)
        {
            int length = bytes.AsSpan(start).IndexOf((byte)'\n');
            if (length < 0)
            {
                length = bytes.Length - start;
            }
            var line = bytes.AsSpan(start, length);
            if (line.Length >= SuffixBytes && line[^SuffixBytes] == (byte)' ' && line[^(SuffixBytes - 1)] == (byte)'*')
            {
                uint crc = System.IO.Hashing.Crc32.HashToUInt32(line[..^SuffixBytes]);
                crc.TryFormat(line[^8..], out _, "x8", System.Globalization.CultureInfo.InvariantCulture);
            }
            start += length + 1;
        }
        return bytes;
    }
}
