using System.Globalization;
using Tap.Tests.Linux;

namespace Tap.Tests.Cli;

/// <summary>
/// tapnet with two taps on a hub (t0 = <see cref="TapA"/>, t1 = <see cref="TapB"/>, vnet_hdr off so a frame's bytes
/// are its Ethernet bytes), started in a namespace of its own, each tap then moved into a namespace of its own on
/// 169.254.41.0/24. Only what <see cref="SendUdp"/> sends crosses: IPv6 is off and A knows B's MAC, so no ARP.
/// Every namespace goes on Dispose, also after a failure; tapnet is stopped first.
/// </summary>
internal sealed class HubTraffic : IDisposable
{
    public const string TapA = "mta", TapB = "mtb";
    private const string AddressA = "169.254.41.1", AddressB = "169.254.41.2";

    /// <summary>Ethernet, IPv4 and UDP headers in front of a datagram's payload.</summary>
    public const int FrameOverhead = 14 + 20 + 8;

    private readonly List<IDisposable> _owned = new();

    private HubTraffic(string[] extraArgs)
    {
        try
        {
            Home = Own(TestNetns.Create());
            A = Own(TestNetns.Create());
            B = Own(TestNetns.Create());
            Tapnet = TapnetProcess.Start(Home.Name, [
                "-netdev", $"tap,id=t0,ifname={TapA},script=no,downscript=no,vnet_hdr=off",
                "-netdev", $"tap,id=t1,ifname={TapB},script=no,downscript=no,vnet_hdr=off",
                "-netdev", "hubport,id=h0,hubid=0,netdev=t0",
                "-netdev", "hubport,id=h1,hubid=0,netdev=t1",
                .. extraArgs]);
            Tapnet.WaitForLinks(Home, TimeSpan.FromSeconds(30), TapA, TapB);
            Home.Ip("link", "set", "lo", "up"); // --metrics listens on this namespace's loopback
            Home.Ip("link", "set", TapA, "netns", A.Name);
            Home.Ip("link", "set", TapB, "netns", B.Name);
            A.Ip("addr", "add", AddressA + "/24", "dev", TapA);
            B.Ip("addr", "add", AddressB + "/24", "dev", TapB);
            A.Ip("link", "set", TapA, "up");
            B.Ip("link", "set", TapB, "up");
            string macB = B.Ip("-br", "link", "show", TapB).Split(' ', StringSplitOptions.RemoveEmptyEntries)[2];
            A.Ip("neigh", "replace", AddressB, "lladdr", macB, "dev", TapA, "nud", "permanent");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public TestNetns Home { get; } = null!;
    public TestNetns A { get; } = null!;
    public TestNetns B { get; } = null!;
    public TapnetProcess Tapnet { get; } = null!;

    public static HubTraffic Start(params string[] extraArgs) => new(extraArgs);

    /// <summary>
    /// <paramref name="count"/> datagrams of <paramref name="payload"/> bytes from A to B, one way; returns when B
    /// has received them all (bounded: 20 s).
    /// </summary>
    public async Task SendUdp(int count, int payload, int port)
    {
        string n = count.ToString(CultureInfo.InvariantCulture);
        string p = port.ToString(CultureInfo.InvariantCulture);
        var receiver = Task.Run(() => B.Exec("python3", "-c",
            "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n" +
            $"s.bind(('{AddressB}',{p}))\ns.settimeout(10)\nfor _ in range({n}): s.recvfrom(65536)\n"));
        B.WaitListening("udp", port, TimeSpan.FromSeconds(20));
        A.Exec("python3", "-c",
            "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n" +
            $"for _ in range({n}): s.sendto(b'x'*{payload},('{AddressB}',{p}))\n");
        await receiver.WaitAsync(TimeSpan.FromSeconds(20));
    }

    private T Own<T>(T item) where T : IDisposable
    {
        _owned.Add(item);
        return item;
    }

    public void Dispose()
    {
        Tapnet?.Dispose();
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }
    }
}
