using System.Buffers.Binary;

namespace Tap.Tests.Linux;

/// <summary>ARP and ICMP echo frames on IPv4 link-local 169.254.77.0/24, the only addresses these tests use.</summary>
internal static class Frames
{
    public static readonly byte[] PeerMac = [0x02, 0x00, 0x00, 0x00, 0x77, 0x02];
    public static readonly byte[] PeerIp = [169, 254, 77, 2];
    public static readonly byte[] TapIp = [169, 254, 77, 1];
    public const string TapCidr = "169.254.77.1/24";

    private const ushort EtherTypeArp = 0x0806;
    private const ushort EtherTypeIpv4 = 0x0800;
    private const int Ipv4HeaderBytes = 20;
    private const int IcmpHeaderBytes = 8;
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

    /// <summary>
    /// An ICMP echo request from <paramref name="srcIp"/> to <paramref name="dstIp"/> carrying
    /// <paramref name="payload"/>, with both checksums right (the kernel drops it otherwise, so its reply proves the
    /// frame reached it whole). Unfragmented: the link's MTU must fit it.
    /// </summary>
    public static byte[] IcmpEchoRequest(byte[] srcMac, byte[] dstMac, byte[] srcIp, byte[] dstIp, ushort id,
        ReadOnlySpan<byte> payload)
    {
        var f = new byte[EthHeaderBytes + Ipv4HeaderBytes + IcmpHeaderBytes + payload.Length];
        dstMac.CopyTo(f, 0);
        srcMac.CopyTo(f, 6);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), EtherTypeIpv4);
        var ip = f.AsSpan(EthHeaderBytes, Ipv4HeaderBytes);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(f.Length - EthHeaderBytes));
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000); // don't fragment
        ip[8] = 64;                                             // TTL
        ip[9] = 1;                                              // ICMP
        srcIp.CopyTo(ip[12..]);
        dstIp.CopyTo(ip[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum(ip));
        var icmp = f.AsSpan(EthHeaderBytes + Ipv4HeaderBytes);
        icmp[0] = 8; // echo request
        BinaryPrimitives.WriteUInt16BigEndian(icmp[4..], id);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[6..], 1);
        payload.CopyTo(icmp[IcmpHeaderBytes..]);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], InternetChecksum(icmp));
        return f;
    }

    /// <summary>The payload of <paramref name="frame"/> when it is an ICMP echo reply with <paramref name="id"/> to
    /// <paramref name="dstMac"/>, else null.</summary>
    public static byte[]? IcmpEchoReplyPayload(ReadOnlySpan<byte> frame, byte[] dstMac, ushort id)
    {
        const int headers = EthHeaderBytes + Ipv4HeaderBytes + IcmpHeaderBytes;
        if (frame.Length < headers || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != EtherTypeIpv4
            || !frame[..6].SequenceEqual(dstMac) || frame[EthHeaderBytes + 9] != 1)
        {
            return null;
        }
        var icmp = frame[(EthHeaderBytes + Ipv4HeaderBytes)..];
        if (icmp[0] != 0 || BinaryPrimitives.ReadUInt16BigEndian(icmp[4..]) != id)
        {
            return null;
        }
        int ipLength = BinaryPrimitives.ReadUInt16BigEndian(frame[(EthHeaderBytes + 2)..]);
        return frame[headers..(EthHeaderBytes + ipLength)].ToArray();
    }

    private static ushort InternetChecksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }
        if ((data.Length & 1) != 0)
        {
            sum += (uint)data[^1] << 8;
        }
        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (ushort)~sum;
    }
}
