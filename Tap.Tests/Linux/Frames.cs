using System.Buffers.Binary;

namespace Tap.Tests.Linux;

/// <summary>ARP frames on IPv4 link-local 169.254.77.0/24, the only addresses these tests use.</summary>
internal static class Frames
{
    public static readonly byte[] PeerMac = [0x02, 0x00, 0x00, 0x00, 0x77, 0x02];
    public static readonly byte[] PeerIp = [169, 254, 77, 2];
    public static readonly byte[] TapIp = [169, 254, 77, 1];
    public const string TapCidr = "169.254.77.1/24";

    private const ushort EtherTypeArp = 0x0806;
    private const int EthHeaderBytes = 14;

    /// <summary>A broadcast "who has <paramref name="targetIp"/>? tell <paramref name="senderIp"/>", padded to 60 bytes.</summary>
    public static byte[] ArpRequest(byte[] senderMac, byte[] senderIp, byte[] targetIp)
    {
        var f = new byte[60];
        f.AsSpan(0, 6).Fill(0xff);
        senderMac.CopyTo(f, 6);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), EtherTypeArp);
        var arp = f.AsSpan(EthHeaderBytes);
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);           // hardware: Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], 0x0800); // protocol: IPv4
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], 1);      // request
        senderMac.CopyTo(arp[8..]);
        senderIp.CopyTo(arp[14..]);
        targetIp.CopyTo(arp[24..]);
        return f;
    }

    /// <summary>True when <paramref name="frame"/> is an ARP reply from <paramref name="senderIp"/> to <paramref name="targetMac"/>.</summary>
    public static bool IsArpReply(ReadOnlySpan<byte> frame, byte[] senderIp, byte[] targetMac)
    {
        if (frame.Length < EthHeaderBytes + 28 || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != EtherTypeArp)
        {
            return false;
        }
        var arp = frame[EthHeaderBytes..];
        return BinaryPrimitives.ReadUInt16BigEndian(arp[6..]) == 2
            && arp.Slice(14, 4).SequenceEqual(senderIp)
            && arp.Slice(18, 6).SequenceEqual(targetMac)
            && frame[..6].SequenceEqual(targetMac);
    }
}
