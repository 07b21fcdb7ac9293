using System.Net.Sockets;
using System.Text;
using Tap.Tests.Linux;
using Xunit.Abstractions;

namespace Tap.Tests.Cli;

/// <summary>
/// tapnet as a systemd <c>Type=notify</c> service (docs/service.md#notify): the real binary with
/// <c>NOTIFY_SOCKET</c> pointing at a datagram socket the test holds, as systemd's would.
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class ServiceNotifyTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private static readonly string[] TwoTapsOnAHub =
    [
        "-netdev", "tap,id=t0,ifname=nfa,script=no,downscript={down}",
        "-netdev", "tap,id=t1,ifname=nfb,script=no,downscript=no",
        "-netdev", "hubport,id=h0,hubid=0,netdev=t0", "-netdev", "hubport,id=h1,hubid=0,netdev=t1",
    ];

    [SkippableFact(DisplayName = "notify-ready, notify-stopping: READY=1 once both taps exist, then on SIGTERM " +
        "STOPPING=1 before the down script runs; exit 0")]
    public void ReadyThenStopping()
    {
        LinuxTestGate.RequireTun(output);
        LinuxTestGate.RequireFile(output, "/usr/bin/python3", "python3");
        using var ns = TestNetns.Create();
        using var dir = new TempDir();
        using var manager = new FakeServiceManager(dir.File_("notify.sock"));
        // The down script reports to the same socket, so the datagrams' order shows STOPPING=1 came before the
        // netdevs were deleted (down scripts run at deletion).
        var down = dir.Write("down.sh", "#!/bin/sh\nexec python3 -c \"import socket,sys; " +
            "s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM); s.sendto(b'DOWN-SCRIPT='+sys.argv[1].encode()," +
            $"'{manager.Path}')\" \"$1\"\n");
        using var tapnet = TapnetProcess.Start(ns.Name, manager.Environment,
            TwoTapsOnAHub.Select(a => a.Replace("{down}", down, StringComparison.Ordinal)).ToArray());

        string ready = manager.Receive(Limit, tapnet);
        Assert.Contains("READY=1", Lines(ready));
        // Ready means built: both taps are there when the message is (it was sent after they were made).
        Assert.True(ns.HasLink("nfa") && ns.HasLink("nfb"), "READY=1 before both taps existed");

        int code = tapnet.Terminate(Limit);
        output.WriteLine(tapnet.Stderr);
        Assert.Equal(0, code);
        var rest = manager.Drain();
        var states = new[] { ready }.Concat(rest)
            .SelectMany(Lines)
            .Where(l => l is "READY=1" or "STOPPING=1" || l.StartsWith("DOWN-SCRIPT=", StringComparison.Ordinal))
            .ToArray();
        Assert.Equal(["READY=1", "STOPPING=1", "DOWN-SCRIPT=nfa"], states);
        Assert.False(ns.HasLink("nfa"), "the tap outlived tapnet");
    }

    [SkippableFact(DisplayName = "notify-ready: a netdev that fails leaves the service unready: exit 1, no datagram " +
        "at all")]
    public void FailedNetdevNeverReady()
    {
        LinuxTestGate.RequireTun(output);
        using var ns = TestNetns.Create();
        using var dir = new TempDir();
        using var manager = new FakeServiceManager(dir.File_("notify.sock"));
        var failing = dir.Write("fail.sh", "#!/bin/sh\nexit 1\n");

        // The first tap is built; the second's setup script fails, and tapnet exits as QEMU does.
        using var tapnet = TapnetProcess.Start(ns.Name, manager.Environment,
            "-netdev", "tap,id=t0,ifname=nfa,script=no,downscript=no",
            "-netdev", $"tap,id=t1,ifname=nfb,script={failing},downscript=no");
        int code = tapnet.Wait(Limit);
        output.WriteLine(tapnet.Stderr);

        Assert.Equal(1, code);
        Assert.Contains("failed with status", tapnet.Stderr, StringComparison.Ordinal);
        // tapnet has exited: whatever it sent is already queued on the socket.
        Assert.Empty(manager.Drain());
    }

    [SkippableFact(DisplayName = "notify-errors: a NOTIFY_SOCKET nobody listens on costs one warning line; tapnet " +
        "forwards on and stops with exit 0")]
    public void UnreachableSocketIsAWarning()
    {
        LinuxTestGate.RequireTun(output);
        using var ns = TestNetns.Create();
        using var dir = new TempDir();
        var absent = dir.File_("nobody.sock");
        using var tapnet = TapnetProcess.Start(ns.Name, new Dictionary<string, string> { ["NOTIFY_SOCKET"] = absent },
            "-netdev", "tap,id=t0,ifname=nfa,script=no,downscript=no",
            "-netdev", "tap,id=t1,ifname=nfb,script=no,downscript=no",
            "-netdev", "hubport,id=h0,hubid=0,netdev=t0", "-netdev", "hubport,id=h1,hubid=0,netdev=t1");
        tapnet.WaitForLinks(ns, Limit, "nfa", "nfb");
        // The warning is written right after the failed READY=1, before the loop runs.
        WaitFor(() => tapnet.Stderr.Contains("cannot notify", StringComparison.Ordinal), tapnet, "the warning");
        Assert.False(tapnet.HasExited, $"tapnet stopped after the failed notification: {tapnet.Stderr}");

        int code = tapnet.Terminate(Limit);
        output.WriteLine(tapnet.Stderr);
        Assert.Equal(0, code);
        var warnings = tapnet.Stderr.Split('\n')
            .Where(l => l.Contains("cannot notify", StringComparison.Ordinal)).ToArray();
        // READY=1 and STOPPING=1 both failed; one line says so.
        Assert.Single(warnings);
        Assert.Equal($"tapnet: warning: NOTIFY_SOCKET={absent}: cannot notify the service manager: no such socket",
            warnings[0]);
    }

    private static string[] Lines(string datagram) => datagram.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static void WaitFor(Func<bool> condition, TapnetProcess tapnet, string what)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (!condition())
        {
            if (tapnet.HasExited)
            {
                throw new InvalidOperationException($"tapnet exited before {what}: {tapnet.Stderr}");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no {what} within {Limit.TotalSeconds} s: {tapnet.Stderr}");
            }
            Thread.Sleep(20);
        }
    }

    /// <summary>systemd's side of the protocol: a datagram socket bound to a path, read by the test.</summary>
    private sealed class FakeServiceManager : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

        public FakeServiceManager(string path)
        {
            Path = path;
            _socket.Bind(new UnixDomainSocketEndPoint(path));
        }

        public string Path { get; }

        public IReadOnlyDictionary<string, string> Environment =>
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = Path };

        /// <summary>The next datagram; fails when tapnet exits first or nothing comes within
        /// <paramref name="limit"/>.</summary>
        public string Receive(TimeSpan limit, TapnetProcess tapnet)
        {
            var deadline = DateTime.UtcNow + limit;
            // Poll in slices, so that a tapnet that died is reported at once rather than after the whole bound.
            while (!_socket.Poll(TimeSpan.FromMilliseconds(50), SelectMode.SelectRead))
            {
                if (tapnet.HasExited)
                {
                    throw new InvalidOperationException($"tapnet exited without notifying: {tapnet.Stderr}");
                }
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"no notification within {limit.TotalSeconds} s: {tapnet.Stderr}");
                }
            }
            return ReceiveOne();
        }

        /// <summary>Every datagram already queued, in order, without waiting.</summary>
        public List<string> Drain()
        {
            var all = new List<string>();
            while (_socket.Poll(TimeSpan.Zero, SelectMode.SelectRead))
            {
                all.Add(ReceiveOne());
            }
            return all;
        }

        private string ReceiveOne()
        {
            var buffer = new byte[4096];
            int n = _socket.Receive(buffer);
            return Encoding.UTF8.GetString(buffer, 0, n);
        }

        public void Dispose() => _socket.Dispose();
    }
}
