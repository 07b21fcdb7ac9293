using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Linux;

namespace Tap.Tests.Linux;

/// <summary>Traffic set-up the forwarding tests share: taps moved into their own namespaces on 169.254.x.y, and
/// bounded UDP bursts between them.</summary>
internal static class LinkLocal
{
    /// <summary>Moves <paramref name="tap"/> from <paramref name="home"/> into <paramref name="ns"/>, addresses it
    /// with <paramref name="cidr"/> (169.254.x.y only) and brings it up.</summary>
    public static void MoveTap(TestNetns home, string tap, TestNetns ns, string cidr)
    {
        home.Ip("link", "set", tap, "netns", ns.Name);
        ns.Ip("addr", "add", cidr, "dev", tap);
        ns.Ip("link", "set", tap, "up");
    }

    /// <summary>
    /// Sends <paramref name="count"/> datagrams of <paramref name="bytes"/> bytes from inside <paramref name="ns"/> to
    /// <paramref name="ip"/>:<paramref name="port"/>, <paramref name="gap"/> apart. To a closed port this gives ARP
    /// both ways, the datagrams one way and ICMP port-unreachable back.
    /// </summary>
    public static void SendUdp(TestNetns ns, string ip, int port, int count, int bytes, TimeSpan gap, TimeSpan timeout) =>
        NetworkNamespace.Run(ns.Name, () =>
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var payload = new byte[bytes];
            var to = new IPEndPoint(IPAddress.Parse(ip), port);
            for (int i = 0; i < count; i++)
            {
                s.SendTo(payload, to);
                Thread.Sleep(gap);
            }
            return 0;
        }, timeout);

    /// <summary>Sends <paramref name="count"/> datagrams of 32 bytes to <paramref name="ip"/>:<paramref name="port"/>
    /// from the calling thread's namespace, each from a socket of its own: as many flows, each its own source port.</summary>
    public static void SendFlows(string ip, int port, int count)
    {
        for (int i = 0; i < count; i++)
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.SendTo(new byte[32], new IPEndPoint(IPAddress.Parse(ip), port));
        }
    }

    /// <summary>
    /// Reads every tap queue in <paramref name="queues"/> straight from its fd (the loop is not running) until
    /// <paramref name="expected"/> UDP datagrams to <paramref name="port"/> have come, or 10 s have passed; returns
    /// how many each queue got. Other frames are read and not counted.
    /// </summary>
    public static int[] CountUdpPerQueue(LinuxOsNet os, IReadOnlyList<Fd> queues, int port, int expected)
    {
        var counts = new int[queues.Count];
        var frame = new byte[2048];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (counts.Sum() < expected && DateTime.UtcNow < deadline)
        {
            bool any = false;
            for (int q = 0; q < queues.Count; q++)
            {
                var r = os.Read(queues[q], frame);
                if (r.Error == Errno.None && r.Value > 0)
                {
                    any = true;
                    counts[q] += IsUdpTo(frame.AsSpan(0, r.Value), port) ? 1 : 0;
                }
            }
            if (!any)
            {
                Thread.Sleep(5);
            }
        }
        return counts;
    }

    /// <summary>IPv4, UDP, to <paramref name="port"/>: Ethernet type at 12, protocol at 23, destination port at 36.</summary>
    private static bool IsUdpTo(ReadOnlySpan<byte> f, int port) =>
        f.Length >= 42 && BinaryPrimitives.ReadUInt16BigEndian(f[12..]) == 0x0800 && f[23] == 17
        && BinaryPrimitives.ReadUInt16BigEndian(f[36..]) == port;
}
