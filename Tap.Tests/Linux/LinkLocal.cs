using System.Net;
using System.Net.Sockets;
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
}
