using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Tap.Core.Frontend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Linux;
using Tap.Sim;

namespace Tap.Cli;

/// <summary>
/// <c>tapnet demo</c>: two network namespaces with one tap each, joined through a hub in tapnet; a bounded UDP burst
/// and a short TCP transfer between them on 169.254.77.0/24; a summary of what crossed; everything removed again,
/// Ctrl-C included. Without root or /dev/net/tun the same topology runs in the simulator.
/// </summary>
internal static class DemoCommand
{
    private const int Datagrams = 2000;
    private const int DatagramBytes = 512;
    private const int TcpBytes = 4 << 20;
    private static readonly TimeSpan TrafficTimeout = TimeSpan.FromSeconds(20);
    private static readonly IPAddress AddrA = IPAddress.Parse("169.254.77.1");
    private static readonly IPAddress AddrB = IPAddress.Parse("169.254.77.2");

    public static int Run(string program, bool forceSim, TextWriter stdout, TextWriter stderr)
    {
        string? why = forceSim ? "--sim given"
            : !Environment.IsPrivilegedProcess ? "not root"
            : !File.Exists("/dev/net/tun") ? "/dev/net/tun is missing"
            : FindIp() is null ? "the ip tool (iproute2) is missing"
            : null;
        return why is null ? RunReal(program, stdout, stderr) : RunSimulated(program, why, stdout, stderr);
    }

    private static string[] Netdevs(string tapA, string tapB) =>
    [
        $"tap,id=a,ifname={tapA},script=no,downscript=no",
        $"tap,id=b,ifname={tapB},script=no,downscript=no",
        "hubport,id=ha,hubid=0,netdev=a",
        "hubport,id=hb,hubid=0,netdev=b",
    ];

    private static int RunReal(string program, TextWriter stdout, TextWriter stderr)
    {
        string tag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        string nsA = $"tapnet-demo-{tag}-a", nsB = $"tapnet-demo-{tag}-b";
        string tapA = $"tnd{tag}a", tapB = $"tnd{tag}b";
        stdout.WriteLine($"demo: namespaces {nsA} and {nsB}, taps {tapA} and {tapB} joined by hub 0 in tapnet");
        using var provider = new ServiceCollection().AddTapnetCore().AddLinuxHost(program, stderr)
            .BuildServiceProvider();
        var stack = provider.GetRequiredService<NetStack>();
        var loop = provider.GetRequiredService<IMainLoop>();
        var created = new List<string>();
        // Signals first: a Ctrl-C during set-up must still reach the clean-up below.
        loop.StopOnTerminationSignals();
        try
        {
            foreach (var ns in new[] { nsA, nsB })
            {
                Ip("netns", "add", ns);
                created.Add(ns);
                Ip("netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1");
            }
            var runner = provider.GetRequiredService<NetdevRunner>();
            var args = Netdevs(tapA, tapB).Select(n => new NetdevArgument("-netdev", n)).ToList();
            if (runner.Build(program, args, stdout, stderr) != NetdevBuildStatus.Built)
            {
                return 1;
            }
            runner.PlanOffloads(enabled: true);
            Ip("link", "set", tapA, "netns", nsA);
            Ip("link", "set", tapB, "netns", nsB);
            Ip("-n", nsA, "addr", "add", "169.254.77.1/24", "dev", tapA);
            Ip("-n", nsB, "addr", "add", "169.254.77.2/24", "dev", tapB);
            Ip("-n", nsA, "link", "set", tapA, "up");
            Ip("-n", nsB, "link", "set", tapB, "up");

            var a = stack.Find("a")!;
            var b = stack.Find("b")!;
            var traffic = Task.Run(() => Traffic(nsA, nsB));
            _ = traffic.ContinueWith(_ => loop.RequestStop(), TaskScheduler.Default);
            using var progress = new Timer(_ => stdout.WriteLine(
                $"  ... a->b {a.Counters.SentPackets} pkts, b->a {b.Counters.SentPackets} pkts"), null, 500, 500);
            loop.Run();
            if (loop.StopSignal is { } signal)
            {
                stdout.WriteLine($"demo: stopped by {signal}; cleaning up");
                return 130;
            }
            var (udp, tcp, ok) = traffic.Result;
            DemoSummary.Print(stdout, a, b, udp, tcp);
            stdout.WriteLine(ok ? "demo: ok" : "demo: traffic incomplete");
            return ok ? 0 : 1;
        }
        finally
        {
            stack.DeleteAll();
            foreach (var ns in created)
            {
                TryIp("netns", "del", ns);
            }
        }
    }

    /// <summary>UDP then TCP from namespace A to B through the taps; bounded in count and time.</summary>
    private static (string Udp, string Tcp, bool Ok) Traffic(string nsA, string nsB)
    {
        var udpReceiver = Task.Run(() => NetworkNamespace.Run(nsB, () =>
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
            {
                ReceiveBufferSize = 4 << 20,
                ReceiveTimeout = 3000,
            };
            s.Bind(new IPEndPoint(AddrB, 7000));
            var buf = new byte[2048];
            int got = 0;
            try
            {
                while (got < Datagrams)
                {
                    // Warm-up datagrams (a different size) only resolve the neighbours; they are not counted.
                    if (s.Receive(buf) == DatagramBytes)
                    {
                        got++;
                    }
                }
            }
            catch (SocketException)
            {
            }
            return got;
        }, TrafficTimeout));
        Thread.Sleep(200);
        NetworkNamespace.Run(nsA, () =>
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            // Until ARP has resolved, the kernel keeps only a few packets per neighbour: resolve first, then burst.
            var warm = new byte[8];
            for (int i = 0; i < 5; i++)
            {
                s.SendTo(warm, new IPEndPoint(AddrB, 7000));
                Thread.Sleep(20);
            }
            var payload = new byte[DatagramBytes];
            for (int i = 0; i < Datagrams; i++)
            {
                s.SendTo(payload, new IPEndPoint(AddrB, 7000));
                if (i % 50 == 49)
                {
                    Thread.Sleep(1);
                }
            }
            return 0;
        }, TrafficTimeout);
        int udpGot = udpReceiver.Result;

        var data = new byte[TcpBytes];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(i * 7);
        }
        var tcpServer = Task.Run(() => NetworkNamespace.Run(nsB, () =>
        {
            using var l = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            l.Bind(new IPEndPoint(AddrB, 7001));
            l.Listen(1);
            using var c = l.Accept();
            c.ReceiveTimeout = 10000;
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buf = new byte[65536];
            long total = 0;
            int n;
            while ((n = c.Receive(buf)) > 0)
            {
                sha.AppendData(buf, 0, n);
                total += n;
            }
            return (total, Convert.ToHexStringLower(sha.GetHashAndReset()));
        }, TrafficTimeout));
        Thread.Sleep(200);
        NetworkNamespace.Run(nsA, () =>
        {
            using var c = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            {
                SendTimeout = 10000,
            };
            c.Connect(new IPEndPoint(AddrB, 7001));
            c.Send(data);
            c.Shutdown(SocketShutdown.Send);
            return 0;
        }, TrafficTimeout);
        var (tcpGot, tcpHash) = tcpServer.Result;
        bool tcpOk = tcpGot == TcpBytes && tcpHash == Convert.ToHexStringLower(SHA256.HashData(data));
        return ($"{Datagrams} datagrams of {DatagramBytes} B sent, {udpGot} received",
            $"{TcpBytes} B sent, {tcpGot} B received, sha256 {(tcpOk ? "matches" : "DIFFERS")}",
            udpGot == Datagrams && tcpOk);
    }

    private static int RunSimulated(string program, string why, TextWriter stdout, TextWriter stderr)
    {
        stdout.WriteLine(
            $"demo: {why}: running the same topology in the simulator (seed 1), not on this host's kernel");
        using var provider = new ServiceCollection().AddTapnetCore().AddSimHost(1, k => k.KeepTransmitted = true)
            .BuildServiceProvider();
        var kernel = provider.GetRequiredService<SimKernel>();
        var stack = provider.GetRequiredService<NetStack>();
        var loop = provider.GetRequiredService<IRunLoop>();
        var args = Netdevs("tapa", "tapb").Select(n => new NetdevArgument("-netdev", n)).ToList();
        if (provider.GetRequiredService<NetdevRunner>().Build(program, args, stdout, stderr) != NetdevBuildStatus.Built)
        {
            return 1;
        }
        kernel.SetLinkUp("tapa", true);
        kernel.SetLinkUp("tapb", true);
        var frame = new byte[14 + 20 + 8 + DatagramBytes];
        int udpGot = 0;
        for (int i = 0; i < Datagrams; i++)
        {
            kernel.HostSend("tapa", frame);
            if (i % 50 == 49)
            {
                loop.Run();
                udpGot += kernel.HostReceive("tapb").Count;
            }
        }
        loop.Run();
        udpGot += kernel.HostReceive("tapb").Count;
        long tcpGot = 0;
        var segment = new byte[14 + 20 + 32 + 1448];
        for (long sent = 0; sent < TcpBytes; sent += 1448)
        {
            kernel.HostSend("tapa", segment);
            kernel.HostSend("tapb", segment.AsSpan(0, 66));   // the acknowledgement
            loop.Run();
            tcpGot += kernel.HostReceive("tapb").Count * 1448L;
            kernel.HostReceive("tapa");
        }
        DemoSummary.Print(stdout, stack.Find("a")!, stack.Find("b")!,
            $"{Datagrams} datagrams of {DatagramBytes} B sent, {udpGot} received (simulated)",
            $"{TcpBytes} B sent, {Math.Min(tcpGot, TcpBytes)} B received (simulated segments)");
        stack.DeleteAll();
        bool ok = udpGot == Datagrams && tcpGot >= TcpBytes;
        stdout.WriteLine(ok ? "demo: ok (simulated)" : "demo: traffic incomplete (simulated)");
        return ok ? 0 : 1;
    }

    private static string? FindIp() =>
        new[] { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip" }.FirstOrDefault(File.Exists);

    private static void Ip(params string[] args)
    {
        var (code, err) = RunIp(args);
        if (code != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)} failed: {err.Trim()}");
        }
    }

    private static void TryIp(params string[] args) => RunIp(args);

    private static (int Code, string Stderr) RunIp(string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo(FindIp() ?? "ip")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        using var p = System.Diagnostics.Process.Start(info)!;
        string err = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, err);
    }
}
