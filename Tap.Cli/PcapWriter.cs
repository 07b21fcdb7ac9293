using System.Buffers.Binary;
using Tap.Core.Net;

namespace Tap.Cli;

/// <summary>
/// A classic libpcap file (LINKTYPE_ETHERNET, microsecond timestamps) of a netdev's traffic in both directions, as
/// QEMU's filter-dump writes it; packets longer than <c>maxlen</c> are cut (caplen) but keep their real length.
/// Writes through a buffered stream from a stack buffer: nothing is allocated per packet.
/// </summary>
public sealed class PcapWriter : IPacketObserver, IDisposable
{
    private const uint Magic = 0xa1b2c3d4;
    private const uint LinkTypeEthernet = 1;
    private readonly FileStream _file;
    private readonly uint _maxLen;

    public PcapWriter(string path, uint maxLen)
    {
        _maxLen = maxLen;
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16);
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], maxLen);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], LinkTypeEthernet);
        _file.Write(header);
    }

    /// <summary>Packets written.</summary>
    public long Packets { get; private set; }

    public void OnPacket(NetClient client, ReadOnlySpan<byte> packet, bool outgoing)
    {
        long micros = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
        int caplen = (int)Math.Min((uint)packet.Length, _maxLen);
        Span<byte> record = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(micros / 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(micros % 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)caplen);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)packet.Length);
        _file.Write(record);
        _file.Write(packet[..caplen]);
        Packets++;
    }

    public void Dispose() => _file.Dispose();
}
