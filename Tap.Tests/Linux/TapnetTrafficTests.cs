using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary>
/// tapnet as a user runs it: two taps joined by a hub, moved into two namespaces after start-up, real UDP and TCP
/// between them (169.254.x.y only, bounded), clean exit on SIGTERM.
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class TapnetTrafficTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Start = TimeSpan.FromSeconds(20);
    private const int Datagrams = 3000;
    private const int TcpBytes = 8 << 20;

    private const string UdpReceiver = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind(("169.254.10.2", 5555))
s.settimeout(5)
seen = set()
try:
    while len(seen) < int(sys.argv[1]):
        data, _ = s.recvfrom(2048)
        if data[:8].isdigit():
            seen.add(int(data[:8]))
except socket.timeout:
    pass
print(len(seen))
""";

    private const string UdpSender = """
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(5):  # resolve the neighbour first: until then the kernel keeps only a few packets
    s.sendto(b"warm", ("169.254.10.2", 5555))
    time.sleep(0.02)
for i in range(int(sys.argv[1])):
    s.sendto(b"%08d" % i + b"x" * 200, ("169.254.10.2", 5555))
    if i % 50 == 49:
        time.sleep(0.002)
""";

    private const string TcpReceiver = """
import socket, hashlib
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("169.254.10.2", 5556))
srv.listen(1)
srv.settimeout(20)
c, _ = srv.accept()
c.settimeout(20)
h = hashlib.sha256()
n = 0
while True:
    b = c.recv(65536)
    if not b:
        break
    h.update(b)
    n += len(b)
print(n, h.hexdigest())
""";

    private const string TcpSender = """
import socket, hashlib, sys, time
data = bytes((i * 7) & 0xff for i in range(int(sys.argv[1])))
for attempt in range(50):
    try:
        c = socket.create_connection(("169.254.10.2", 5556), timeout=20)
        break
    except OSError:
        time.sleep(0.1)
c.sendall(data)
c.close()
print(len(data), hashlib.sha256(data).hexdigest())
""";

    [SkippableFact(DisplayName = "tapnet: taps on a hub, moved into two namespaces, carry 3000 UDP datagrams and a TCP transfer intact; SIGTERM exits 0")]
    public async Task UdpAndTcpThroughHub()
    {
        LinuxTestGate.RequireTun(output);
        LinuxTestGate.RequireFile(output, "/usr/bin/python3", "python3");
        using var home = TestNetns.Create();
        using var a = TestNetns.Create();
        using var b = TestNetns.Create();
        using var tapnet = TapnetProcess.Start(home.Name, "--stats-json",
            "-netdev", "tap,id=t0,ifname=tna,script=no,downscript=no",
            "-netdev", "tap,id=t1,ifname=tnb,script=no,downscript=no",
            "-netdev", "hubport,id=h0,hubid=0,netdev=t0",
            "-netdev", "hubport,id=h1,hubid=0,netdev=t1");
        tapnet.WaitForLinks(home, Start, "tna", "tnb");

        // After start-up nothing refers to a tap by name: moving them must not matter.
        home.Ip("link", "set", "tna", "netns", a.Name);
        home.Ip("link", "set", "tnb", "netns", b.Name);
        a.Ip("addr", "add", "169.254.10.1/24", "dev", "tna");
        b.Ip("addr", "add", "169.254.10.2/24", "dev", "tnb");
        a.Ip("link", "set", "tna", "up");
        b.Ip("link", "set", "tnb", "up");

        using var dir = new TempDir();
        var udpRx = dir.Write("udp_rx.py", UdpReceiver, executable: false);
        var udpTx = dir.Write("udp_tx.py", UdpSender, executable: false);
        var tcpRx = dir.Write("tcp_rx.py", TcpReceiver, executable: false);
        var tcpTx = dir.Write("tcp_tx.py", TcpSender, executable: false);

        var receiver = Task.Run(() => b.Exec("python3", udpRx, Datagrams.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        b.WaitListening("udp", 5555, TimeSpan.FromSeconds(20));
        a.Exec("python3", udpTx, Datagrams.ToString(System.Globalization.CultureInfo.InvariantCulture));
        int received = int.Parse((await receiver.WaitAsync(TimeSpan.FromSeconds(30))).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        output.WriteLine($"UDP: {received} of {Datagrams} datagrams");
        Assert.Equal(Datagrams, received);

        var tcpServer = Task.Run(() => b.Exec("python3", tcpRx));
        b.WaitListening("tcp", 5556, TimeSpan.FromSeconds(20));
        var sent = a.Exec("python3", tcpTx, TcpBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)).Trim();
        var got = (await tcpServer.WaitAsync(TimeSpan.FromSeconds(30))).Trim();
        output.WriteLine($"TCP: sent {sent}, received {got}");
        Assert.Equal(sent, got);

        // Rates are printed once a second: wait for two of them rather than hoping the traffic took that long.
        tapnet.WaitForStdoutLines("host_to_net_pps", 2, TimeSpan.FromSeconds(10));
        Assert.Equal(0, tapnet.Terminate(TimeSpan.FromSeconds(10)));
        Assert.DoesNotContain("Unhandled", tapnet.Stderr, StringComparison.Ordinal);

        // The exit summary (--stats-json): what t0 read from its host reached t1's host, nothing dropped.
        var totals = tapnet.Stdout.Split('\n').Where(l => l.Contains("\"host_to_net_packets\"", StringComparison.Ordinal))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToDictionary(e => e.GetProperty("netdev").GetString()!);
        Assert.True(totals["t0"].GetProperty("host_to_net_packets").GetInt64() >= Datagrams);
        Assert.True(totals["t1"].GetProperty("net_to_host_packets").GetInt64() >= Datagrams);
        Assert.Equal(0, totals["t0"].GetProperty("drops").EnumerateObject().Sum(p => p.Value.GetInt64()));
        Assert.False(a.HasLink("tna"));
        Assert.False(b.HasLink("tnb"));
    }

    [SkippableFact(DisplayName = "tapnet: an init error is one line 'tapnet: -netdev ARG: MESSAGE' and exit 1; earlier down scripts run (R41)")]
    public void InitErrorExitsOne()
    {
        LinuxTestGate.RequireTun(output);
        using var ns = TestNetns.Create();
        using var dir = new TempDir();
        var log = dir.File_("down.log");
        var down = dir.Write("down.sh", $"#!/bin/sh\necho \"$1\" >> {log}\n");
        var (code, _, stderr) = TapnetProcess.RunToEnd(ns.Name, Start,
            "-netdev", $"tap,id=t0,ifname=ok0,script=no,downscript={down}", "-netdev", "tap,id=t1,fd=abc");
        Assert.Equal(1, code);
        Assert.Equal("tapnet: -netdev tap,id=t1,fd=abc: Invalid file descriptor number 'abc'", stderr.Trim());
        Assert.Equal("ok0", File.ReadAllText(log).Trim());

        var (helpCode, helpOut, _) = TapnetProcess.RunToEnd(null, Start, "--help");
        Assert.Equal(0, helpCode);
        Assert.Contains("queues=N", helpOut, StringComparison.Ordinal);
        var (usageCode, _, usageErr) = TapnetProcess.RunToEnd(null, Start, "--bogus");
        Assert.Equal(2, usageCode);
        Assert.Contains("--bogus", usageErr, StringComparison.Ordinal);
    }
}
