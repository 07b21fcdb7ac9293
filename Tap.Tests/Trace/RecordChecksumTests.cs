using System.Text;

namespace Tap.Tests.Trace;

/// <summary>The checksum that guards every trace record is CRC-32 as zlib computes it (docs/trace-format.md).</summary>
public sealed class RecordChecksumTests
{
    [Theory(DisplayName = "Trace records: CRC-32 known answers (zlib's polynomial, reflected, initial and final XOR all ones)")]
    [InlineData("", 0x00000000u)]
    [InlineData("123456789", 0xCBF43926u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x414FA339u)]
    public void KnownAnswers(string text, uint crc) =>
        Assert.Equal(crc, System.IO.Hashing.Crc32.HashToUInt32(Encoding.ASCII.GetBytes(text)));

    [Fact(DisplayName = "Trace records: the writer's checksum is the CRC-32 of the record text before ' *'")]
    public void WriterUsesIt()
    {
        // A committed record from the corpus: its checksum was written by the table-driven CRC this replaced.
        var line = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Traces", "fd.trace")).Skip(1).First();
        int star = line.LastIndexOf(" *", StringComparison.Ordinal);
        Assert.Equal(line[(star + 2)..], System.IO.Hashing.Crc32.HashToUInt32(Encoding.UTF8.GetBytes(line[..star])).ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
    }
}
