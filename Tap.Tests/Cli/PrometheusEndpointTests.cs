using System.Globalization;
using System.Text.RegularExpressions;
using Tap.Tests.Linux;
using Xunit.Abstractions;

namespace Tap.Tests.Cli;

/// <summary>
/// <c>--metrics=127.0.0.1:PORT</c>: tapnet, in a namespace the test made, serves the tapnet meter in Prometheus'
/// text format on that namespace's loopback; scrapes during and after traffic give the traffic sent.
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed partial class PrometheusEndpointTests(ITestOutputHelper output)
{
    private const string Url = "http://127.0.0.1:9464/metrics";

    [SkippableFact(DisplayName = "--metrics: a Prometheus scrape counts the datagrams and bytes sent, each way")]
    public async Task ScrapeCountsTheTraffic()
    {
        LinuxTestGate.RequireTun(output);
        LinuxTestGate.RequireTool(output, "python3", "python3");
        using var hub = HubTraffic.Start("--metrics=127.0.0.1:9464");
        var before = Scrape(hub);
        Assert.Equal(0, before[("tapnet_packets_total", "direction=\"tx\",netdev=\"t0\",queue=\"0\"")]);
        Assert.Equal(0, before[("tapnet_packets_total", "direction=\"rx\",netdev=\"t1\",queue=\"0\"")]);

        await hub.SendUdp(25, 400, 7792);
        var during = Scrape(hub); // tapnet keeps forwarding: the scrape runs beside a live loop
        await hub.SendUdp(15, 100, 7793);
        var after = Scrape(hub);

        long first = 25 * (400 + HubTraffic.FrameOverhead), second = 15 * (100 + HubTraffic.FrameOverhead);
        Assert.Equal(25, during[("tapnet_packets_total", "direction=\"tx\",netdev=\"t0\",queue=\"0\"")]);
        Assert.Equal(first, during[("tapnet_bytes_total", "direction=\"tx\",netdev=\"t0\",queue=\"0\"")]);
        Assert.Equal(40, after[("tapnet_packets_total", "direction=\"tx\",netdev=\"t0\",queue=\"0\"")]);
        Assert.Equal(first + second, after[("tapnet_bytes_total", "direction=\"tx\",netdev=\"t0\",queue=\"0\"")]);
        Assert.Equal(40, after[("tapnet_packets_total", "direction=\"rx\",netdev=\"t1\",queue=\"0\"")]);
        Assert.Equal(first + second, after[("tapnet_bytes_total", "direction=\"rx\",netdev=\"t1\",queue=\"0\"")]);
        Assert.Equal(0, after[("tapnet_packets_total", "direction=\"rx\",netdev=\"t0\",queue=\"0\"")]);
        Assert.Equal(0, after[("tapnet_drops_total", "netdev=\"t0\",queue=\"0\",reason=\"no-peer\"")]);
        Assert.Equal(0, after.Where(kv => kv.Key.Name == "tapnet_drops_total").Sum(kv => kv.Value));
        Assert.True(after.ContainsKey(("tapnet_stalls_total", "kind=\"back-pressure\",netdev=\"t0\",queue=\"0\"")));
        Assert.True(after.ContainsKey(("tapnet_queue_length", "direction=\"rx\",netdev=\"t1\",queue=\"0\"")));
    }

    [SkippableFact(DisplayName = "--metrics: a scrape right after a frame counts it (no answer cached from the scrape before)")]
    public void ScrapeRightAfterTrafficIsFresh()
    {
        LinuxTestGate.RequireTun(output);
        using var hub = HubTraffic.Start("--metrics=127.0.0.1:9466");
        const string Sent = "tapnet_packets_total{direction=\"tx\",netdev=\"t0\",queue=\"0\"}";
        Assert.Equal(0, RawScrape(hub, 9466)[Sent]);
        // One datagram, sent and received by threads in A's and B's namespaces (milliseconds, no process start):
        // once B has it, tapnet counted it, and the next scrape comes well within the 300 ms an exporter may cache.
        using var rx = hub.B.Run(() =>
        {
            var s = new System.Net.Sockets.UdpClient(
                new System.Net.IPEndPoint(System.Net.IPAddress.Parse("169.254.41.2"), 7794));
            s.Client.ReceiveTimeout = 10_000;
            return s;
        });
        hub.A.Run(() =>
        {
            using var tx = new System.Net.Sockets.UdpClient();
            tx.Send(new byte[32], 32, new System.Net.IPEndPoint(System.Net.IPAddress.Parse("169.254.41.2"), 7794));
        });
        var from = new System.Net.IPEndPoint(System.Net.IPAddress.Any, 0);
        Assert.Equal(32, rx.Receive(ref from).Length);
        Assert.Equal(1, RawScrape(hub, 9466)[Sent]);
    }

    /// <summary>
    /// One HTTP/1.0 GET of /metrics from a thread in tapnet's namespace (no process start, so two scrapes can come
    /// milliseconds apart): metric with labels to value.
    /// </summary>
    private static Dictionary<string, long> RawScrape(HubTraffic hub, int port) => hub.Home.Run(() =>
    {
        using var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork,
            System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        s.ReceiveTimeout = 10_000;
        s.Connect(System.Net.IPAddress.Loopback, port);
        s.Send(System.Text.Encoding.ASCII.GetBytes("GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"));
        var body = new System.IO.MemoryStream();
        var buf = new byte[65536];
        int n;
        while ((n = s.Receive(buf)) > 0)
        {
            body.Write(buf, 0, n);
        }
        string text = System.Text.Encoding.UTF8.GetString(body.ToArray());
        Assert.StartsWith("HTTP/1.", text, StringComparison.Ordinal);
        var samples = new Dictionary<string, long>();
        foreach (Match m in Sample().Matches(text))
        {
            samples[$"{m.Groups["name"].Value}{{{m.Groups["labels"].Value}}}"] =
                long.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        return samples;
    });

    [SkippableFact(DisplayName = "--metrics: a client that connects and sends nothing holds up no scrape")]
    public void IdleClientHoldsUpNoScrape()
    {
        using var ns = NamespaceWithLoopback();
        using var endpoint = StartIn(ns, 9467);
        using var idle = ConnectIn(ns, 9467);

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", Get(ns, 9467, "/metrics"), StringComparison.Ordinal);
        // Answered while the idle connection is still open: it was not served first (nor timed out) on one thread.
        Assert.False(idle.Poll(0, System.Net.Sockets.SelectMode.SelectRead), "the idle connection was closed");
    }

    [SkippableFact(DisplayName = "--metrics: one connection more than 8 at once is closed unanswered, then scrapes go on")]
    public void ConnectionsBeyondTheLimitAreClosed()
    {
        using var ns = NamespaceWithLoopback();
        using var endpoint = StartIn(ns, 9468);
        var idle = Enumerable.Range(0, 8).Select(_ => ConnectIn(ns, 9468)).ToList();
        try
        {
            using var extra = ConnectIn(ns, 9468);
            extra.ReceiveTimeout = 10_000;
            extra.Send("GET /metrics HTTP/1.1\r\n\r\n"u8.ToArray());
            // A whole request, closed by the endpoint unanswered: an end of stream, or a reset when the close found the
            // request still unread (which of the two depends on whether it had arrived).
            int answered;
            try
            {
                answered = extra.Receive(new byte[64]);
            }
            catch (System.Net.Sockets.SocketException e)
                when (e.SocketErrorCode == System.Net.Sockets.SocketError.ConnectionReset)
            {
                answered = 0;
            }
            Assert.Equal(0, answered);
        }
        finally
        {
            idle.ForEach(s => s.Dispose());
        }
        // The eight closed: their threads end and let their places go (bounded: 30 s).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string answer;
        while (!(answer = Get(ns, 9468, "/metrics")).StartsWith("HTTP/1.1 200 OK\r\n", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no scrape answered within 30 s after the idle clients left: {answer}");
            Thread.Sleep(50);
        }
    }

    [SkippableFact(DisplayName = "--metrics=[::1]:PORT serves on the IPv6 loopback, brackets left out")]
    public void Ipv6Loopback()
    {
        using var ns = NamespaceWithLoopback();
        ns.Exec("sysctl", "-q", "-w", "net.ipv6.conf.lo.disable_ipv6=0"); // TestNetns turns IPv6 off; ::1 is needed
        using var endpoint = StartIn(ns, 9470, "[::1]");
        Assert.Equal(System.Net.IPAddress.IPv6Loopback, endpoint.LocalEndPoint.Address);
        string answer = Get(ns, 9470, "/metrics", "HEAD", System.Net.IPAddress.IPv6Loopback);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", answer, StringComparison.Ordinal);
    }

    [SkippableFact(DisplayName = "--metrics=[::1]:PORT where the namespace has IPv6 off: an error saying why, no endpoint")]
    public void Ipv6OffIsAnError()
    {
        using var ns = NamespaceWithLoopback(); // TestNetns turns IPv6 off
        var (endpoint, error) = ns.Run(() =>
            Tap.Cli.PrometheusEndpoint.Start(new Tap.Cli.MetricsAddress("[::1]", 9471)));
        endpoint?.Dispose();
        Assert.Null(endpoint);
        Assert.Equal("Cannot assign requested address", error);
    }

    [SkippableFact(DisplayName = "--metrics: stopping with a client connected lets the port go")]
    public void DisposeLetsThePortGo()
    {
        using var ns = NamespaceWithLoopback();
        var first = StartIn(ns, 9469);
        using var idle = ConnectIn(ns, 9469);
        first.Dispose();
        using var second = StartIn(ns, 9469);
        Assert.StartsWith("HTTP/1.1 404 Not Found\r\n", Get(ns, 9469, "/"), StringComparison.Ordinal);
    }

    /// <summary>A namespace of the test's own with its loopback up (root and tun required, as for the rest).</summary>
    private TestNetns NamespaceWithLoopback()
    {
        LinuxTestGate.RequireTun(output);
        var ns = TestNetns.Create();
        try
        {
            ns.Ip("link", "set", "lo", "up");
            return ns;
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }

    private static Tap.Cli.PrometheusEndpoint StartIn(TestNetns ns, int port, string host = "127.0.0.1") =>
        ns.Run(() =>
        {
            var (endpoint, error) = Tap.Cli.PrometheusEndpoint.Start(new Tap.Cli.MetricsAddress(host, port));
            Assert.True(endpoint is not null, $"cannot listen on {host}:{port}: {error}");
            return endpoint;
        });

    /// <summary>A connection to <paramref name="address"/> (127.0.0.1 unless said) in <paramref name="ns"/>.</summary>
    private static System.Net.Sockets.Socket ConnectIn(TestNetns ns, int port, System.Net.IPAddress? address = null) =>
        ns.Run(() =>
        {
            var to = address ?? System.Net.IPAddress.Loopback;
            var s = new System.Net.Sockets.Socket(to.AddressFamily, System.Net.Sockets.SocketType.Stream,
                System.Net.Sockets.ProtocolType.Tcp);
            s.Connect(to, port);
            return s;
        });

    /// <summary>One request (GET unless said) of <paramref name="path"/>; the whole response as text, or "" when
    /// closed unanswered.</summary>
    private static string Get(TestNetns ns, int port, string path, string method = "GET",
        System.Net.IPAddress? address = null)
    {
        using var s = ConnectIn(ns, port, address);
        s.ReceiveTimeout = 10_000;
        s.Send(System.Text.Encoding.ASCII.GetBytes($"{method} {path} HTTP/1.1\r\nHost: h\r\n\r\n"));
        var text = new System.Text.StringBuilder();
        var buf = new byte[65536];
        int n;
        while ((n = s.Receive(buf)) > 0)
        {
            text.Append(System.Text.Encoding.UTF8.GetString(buf, 0, n));
        }
        return text.ToString();
    }

    [SkippableFact(DisplayName = "--metrics: an address already in use is an error at start, exit 1")]
    public void AddressInUse()
    {
        LinuxTestGate.RequireTun(output);
        using var ns = TestNetns.Create();
        ns.Ip("link", "set", "lo", "up");
        using var first = TapnetProcess.Start(ns.Name, "--metrics=127.0.0.1:9465", "-netdev",
            "tap,id=t0,ifname=mx0,script=no,downscript=no");
        first.WaitForLinks(ns, TimeSpan.FromSeconds(30), "mx0");
        var (code, _, stderr) = TapnetProcess.RunToEnd(ns.Name, TimeSpan.FromSeconds(30), "--metrics=127.0.0.1:9465",
            "-netdev", "tap,id=t1,ifname=mx1,script=no,downscript=no");
        Assert.Equal(1, code);
        Assert.Contains("--metrics=127.0.0.1:9465: cannot listen:", stderr, StringComparison.Ordinal);
        Assert.False(ns.HasLink("mx1"));
    }

    /// <summary>
    /// One scrape from inside tapnet's namespace: (metric, labels) to value. tapnet listens
    /// before it makes its taps, so the first try answers; a failed one is retried (bounded: 30 s) with its error.
    /// </summary>
    private Dictionary<(string Name, string Labels), long> Scrape(HubTraffic hub)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var (code, text, err) = HostCommand.TryRun("ip", "netns", "exec", hub.Home.Name, "python3", "-c",
                $"import urllib.request\nprint(urllib.request.urlopen('{Url}', timeout=10).read().decode())");
            if (code == 0)
            {
                output.WriteLine(text);
                var samples = new Dictionary<(string, string), long>();
                foreach (Match m in Sample().Matches(text))
                {
                    samples[(m.Groups["name"].Value, m.Groups["labels"].Value)] =
                        long.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
                }
                return samples;
            }
            Assert.True(DateTime.UtcNow < deadline, $"no scrape of {Url} within 30 s: {err}");
            Thread.Sleep(100);
        }
    }

    [GeneratedRegex(@"^(?<name>tapnet_[a-z_]+)\{(?<labels>[^}]*)\} (?<value>\d+)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
