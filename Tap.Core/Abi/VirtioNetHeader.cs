using System.Buffers.Binary;

namespace Tap.Core.Abi;

/// <summary>The virtio-net header that precedes every frame on a tap with IFF_VNET_HDR (linux/virtio_net.h).</summary>
public readonly record struct VirtioNetHeader(
    byte Flags, byte GsoType, ushort HdrLen, ushort GsoSize, ushort CsumStart, ushort CsumOffset)
{
    /// <summary>sizeof(struct virtio_net_hdr).</summary>
    public const int Size = 10;
    /// <summary>sizeof(struct virtio_net_hdr_mrg_rxbuf), also virtio 1.0's virtio_net_hdr_v1.</summary>
    public const int MrgRxBufSize = 12;
    /// <summary>sizeof(struct virtio_net_hdr_v1_hash).</summary>
    public const int V1HashSize = 20;

    public const byte FlagNeedsCsum = 0x01;
    public const byte FlagDataValid = 0x02;
    public const byte GsoNone = 0;
    public const byte GsoTcpV4 = 1;
    public const byte GsoUdp = 3;
    public const byte GsoTcpV6 = 4;
    public const byte GsoUdpL4 = 5;
    public const byte GsoEcn = 0x80;

    /// <summary>True for the three lengths the net layer may pass to set_vnet_hdr_len (Q19).</summary>
    public static bool IsValidLength(int len) => len is Size or MrgRxBufSize or V1HashSize;

    /// <summary>
    /// Reads the first 10 bytes of <paramref name="bytes"/> (little-endian, as on x86_64 and with TUNSETVNETLE).
    /// </summary>
    public static VirtioNetHeader Read(ReadOnlySpan<byte> bytes) => new(
        bytes[0], bytes[1],
        BinaryPrimitives.ReadUInt16LittleEndian(bytes[2..]),
        BinaryPrimitives.ReadUInt16LittleEndian(bytes[4..]),
        BinaryPrimitives.ReadUInt16LittleEndian(bytes[6..]),
        BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]));

    /// <summary>Writes the header into the first 10 bytes of <paramref name="bytes"/>.</summary>
    public void Write(Span<byte> bytes)
    {
        bytes[0] = Flags;
        bytes[1] = GsoType;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[2..], HdrLen);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[4..], GsoSize);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[6..], CsumStart);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[8..], CsumOffset);
    }
}
