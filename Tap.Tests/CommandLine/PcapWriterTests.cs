using System.Buffers.Binary;
using Tap.Cli;

namespace Tap.Tests.CommandLine;

/// <summary>The filter-dump file, byte by byte: libpcap's classic format as tcpdump reads it (CaptureTests has the
/// real tcpdump read one from a live run).</summary>
public sealed class PcapWriterTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"tapnet-pcap-{Guid.NewGuid():N}.pcap");

    public void Dispose() => File.Delete(_path);

    [Fact(DisplayName = "filter-dump file: the pcap header (magic, 2.4, snaplen = maxlen, Ethernet), then each record")]
    public void Layout()
    {
        var first = Enumerable.Range(0, 60).Select(i => (byte)i).ToArray();
        var second = Enumerable.Range(0, 300).Select(i => (byte)(255 - i % 256)).ToArray();
        // The records' times lie between these two readings of the clock the writer reads; pcap keeps microseconds.
        DateTime now = DateTime.UtcNow;
        DateTime before = now.AddTicks(-(now.Ticks % 10));
        using (var w = new PcapWriter(_path, maxLen: 100))
        {
            w.OnPacket(null!, first, outgoing: true);
            w.OnPacket(null!, second, outgoing: false);
            w.OnPacket(null!, [], outgoing: true);
            Assert.Equal(3, w.Packets);
        }
        DateTime after = DateTime.UtcNow;
        byte[] f = File.ReadAllBytes(_path);

        Assert.Equal(new byte[] { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 1, 0, 0, 0 },
            f[..24]);
        int at = 24;
        foreach (var (packet, caplen) in new[] { (first, 60), (second, 100), (Array.Empty<byte>(), 0) })
        {
            var ts = DateTime.UnixEpoch.AddSeconds(BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(at)))
                .AddTicks(BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(at + 4)) * 10L);
            Assert.InRange(ts, before, after);
            Assert.InRange(BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(at + 4)), 0u, 999_999u);
            Assert.Equal((uint)caplen, BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(at + 8)));
            Assert.Equal((uint)packet.Length, BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(at + 12)));
            Assert.Equal(packet[..caplen], f[(at + 16)..(at + 16 + caplen)]);
            at += 16 + caplen;
        }
        Assert.Equal(f.Length, at);
    }

    [Fact(DisplayName = "filter-dump file: a packet exactly maxlen long is kept whole; a new file replaces an old one")]
    public void EdgeAndReplace()
    {
        File.WriteAllBytes(_path, new byte[1000]);
        using (var w = new PcapWriter(_path, maxLen: 64))
        {
            w.OnPacket(null!, new byte[64], outgoing: true);
        }
        byte[] f = File.ReadAllBytes(_path);
        Assert.Equal(24 + 16 + 64, f.Length);
        Assert.Equal(64u, BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(24 + 8)));
    }
}
