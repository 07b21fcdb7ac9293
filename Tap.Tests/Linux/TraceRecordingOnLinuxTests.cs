using System.Security.Cryptography;
using Tap.Cli;
using Tap.Core.Frontend;
using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Trace;
using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary>
/// Records the corpus scenarios on the real kernel (each in namespaces of its own, 169.254.77.0/24 only) and replays
/// every fresh trace at once: a real-kernel trace must replay, record for record, with no kernel at all. With
/// <c>TAPNET_WRITE_CORPUS=DIR</c> the traces are also written to DIR (that is how <c>Tap.Tests/Traces/</c> is made).
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class TraceRecordingOnLinuxTests(ITestOutputHelper output)
{
    private const int SigTerm = 15;
    private const int Datagrams = 5;
    private const int UdpPort = 7777;
    private static readonly TimeSpan TrafficTimeout = TimeSpan.FromSeconds(5);

    public static TheoryData<string> Scenarios => new(["hub-vnet-hdr", "hub-no-vnet-hdr", "fd", "fds", "multiqueue", "scripts", "init-error", "bridge-helper"]);

    [SkippableTheory(DisplayName = "Trace: a run recorded on the real kernel replays record for record without one")]
    [MemberData(nameof(Scenarios))]
    public void RecordAndReplay(string scenario)
    {
        var kernel = RealKernel.Tun(output);
        if (scenario == "bridge-helper")
        {
            kernel.RequireFile("/usr/lib/qemu/qemu-bridge-helper", "qemu-system-common");
        }
        string text = kernel.NoLeak(() => Record(scenario));

        var trace = TraceFile.Parse(System.Text.Encoding.UTF8.GetBytes(text));
        Assert.Null(trace.Incomplete);
        Assert.NotEqual("sim", trace.Header.Kernel);
        var outcome = TraceReplayer.Replay(trace);
        Assert.True(outcome.Ok, outcome.Message);
        CheckShape(scenario, trace);
        output.WriteLine($"{scenario}: {trace.Records.Count} records, {outcome.Events} events, {text.Length} bytes");

        if (Environment.GetEnvironmentVariable("TAPNET_WRITE_CORPUS") is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, scenario + ".trace"), text);
        }
    }

    /// <summary>Each scenario's trace holds what it is in the corpus for.</summary>
    private static void CheckShape(string scenario, TraceFile trace)
    {
        var calls = trace.Records.Where(r => r.Kind == TraceRecordKind.Call).Select(r => r.Body).ToList();
        var events = trace.Records.Where(r => r.Kind == TraceRecordKind.Event).Select(r => r.Body).ToList();
        var notes = trace.Records.Where(r => r.Kind == TraceRecordKind.Note).Select(r => r.Body).ToList();
        switch (scenario)
        {
            case "hub-vnet-hdr" or "hub-no-vnet-hdr":
                Assert.Contains(events, e => e.StartsWith("readable ", StringComparison.Ordinal));
                Assert.True(calls.Count(c => c.StartsWith("Write ", StringComparison.Ordinal)) >= Datagrams, "frames crossed the hub");
                Assert.Contains(events, e => e == "signal 15");
                Assert.Equal(scenario == "hub-vnet-hdr", calls.Any(c => c.StartsWith("TunSetVnetHdrSize", StringComparison.Ordinal)));
                break;
            case "multiqueue":
                Assert.Contains(events, e => e.Contains(" disable 0", StringComparison.Ordinal));
                Assert.Contains(events, e => e.Contains(" enable 0", StringComparison.Ordinal));
                Assert.Contains(calls, c => c.StartsWith("TunSetQueue ", StringComparison.Ordinal) && c.Contains(" 0x400 ", StringComparison.Ordinal));
                Assert.Contains(calls, c => c.StartsWith("TunSetQueue ", StringComparison.Ordinal) && c.Contains(" 0x200 ", StringComparison.Ordinal));
                break;
            case "fd" or "fds":
                Assert.DoesNotContain(calls, c => c.StartsWith("OpenTunControl", StringComparison.Ordinal));
                Assert.Contains(calls, c => c.StartsWith("TunGetIff ", StringComparison.Ordinal));
                break;
            case "scripts":
                Assert.Equal(2, calls.Count(c => c.StartsWith("RunScript ", StringComparison.Ordinal) && c.EndsWith("-> exited 0 -", StringComparison.Ordinal)));
                break;
            case "init-error":
                Assert.Contains(notes, n => n.StartsWith("netdev 1 error \"network script ", StringComparison.Ordinal) && n.EndsWith("failed with status 768 (exit code 3)\"", StringComparison.Ordinal));
                Assert.Contains(events, e => e == "exit-notifiers");
                break;
            case "bridge-helper":
                Assert.Contains(calls, c => c.StartsWith("RunBridgeHelper ", StringComparison.Ordinal) && c.Contains("-> fd ", StringComparison.Ordinal));
                break;
        }
    }

    private string Record(string scenario)
    {
        string br = "tnbr" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        using var dir = new TempDir();
        using var fwd = TestNetns.Create();
        switch (scenario)
        {
            case "hub-vnet-hdr":
                return Traffic(fwd, vnetHdr: true);
            case "hub-no-vnet-hdr":
                return Traffic(fwd, vnetHdr: false);
            case "fd":
                return fwd.Run(() => Session(rig =>
                {
                    var (fd, _) = rig.OpenTap("given0");
                    return [$"tap,id=t0,fd={fd.Number}"];
                }));
            case "fds":
                return fwd.Run(() => Session(rig =>
                {
                    const Tap.Core.Abi.TunFlags mq = Tap.Core.Abi.TunFlags.Tap | Tap.Core.Abi.TunFlags.NoPi | Tap.Core.Abi.TunFlags.VnetHdr | Tap.Core.Abi.TunFlags.MultiQueue;
                    var (a, _) = rig.OpenTap("given%d", mq);
                    var (b, _) = rig.OpenTap("given0", mq);
                    return [$"tap,id=t0,fds={a.Number}:{b.Number}"];
                }));
            case "multiqueue":
                return fwd.Run(() => Session(_ => ["tap,id=mq,ifname=trmq%d,queues=4,script=no,downscript=no"], (rig, driver) =>
                {
                    var queues = driver.Stack.Clients.OfType<TapBackend>().ToList();
                    Assert.Equal(0, driver.Control(queues[1], QueueControl.Disable));
                    Assert.Equal(0, driver.Control(queues[2], QueueControl.Disable));
                    Assert.Equal(0, driver.Control(queues[1], QueueControl.Enable));
                    Assert.Equal(0, driver.Control(queues[2], QueueControl.Enable));
                }));
            case "scripts":
            {
                string up = dir.Write("up.sh", "#!/bin/sh\nip link set \"$1\" up\n");
                string down = dir.Write("down.sh", "#!/bin/sh\nexit 0\n");
                return fwd.Run(() => Session(_ => [$"tap,id=t0,ifname=trs%d,script={up},downscript={down}"]));
            }
            case "init-error":
            {
                string down = dir.Write("down.sh", "#!/bin/sh\nexit 0\n");
                string fails = dir.Write("fails.sh", "#!/bin/sh\nexit 3\n");
                return fwd.Run(() => Session(_ => [$"tap,id=t0,ifname=tre%d,script=no,downscript={down}", $"tap,id=t1,ifname=trf%d,script={fails},downscript=no"]));
            }
            default:
                fwd.Ip("link", "add", br, "type", "bridge");
                fwd.Ip("link", "set", br, "up");
                using (new BridgeAcl($"allow {br}\n"))
                {
                    return fwd.Run(() => Session(_ => [$"bridge,id=b0,br={br}"]));
                }
        }
    }

    /// <summary>Two taps on hub 0, each moved into a namespace of its own, and UDP from one to the other.</summary>
    private static string Traffic(TestNetns fwd, bool vnetHdr)
    {
        using var a = TestNetns.Create();
        using var b = TestNetns.Create();
        string vnet = vnetHdr ? "" : ",vnet_hdr=off";
        return fwd.Run(() => Session(_ =>
        [
            $"tap,id=t0,ifname=tra0,script=no,downscript=no{vnet}",
            $"tap,id=t1,ifname=trb0,script=no,downscript=no{vnet}",
            "hubport,id=h0,hubid=0,netdev=t0",
            "hubport,id=h1,hubid=0,netdev=t1",
        ], (rig, driver) =>
        {
            LinkLocal.MoveTap(fwd, "tra0", a, "169.254.77.1/24");
            LinkLocal.MoveTap(fwd, "trb0", b, "169.254.77.2/24");
            var sender = Task.Run(() => LinkLocal.SendUdp(a, "169.254.77.2", UdpPort, Datagrams, 64, TimeSpan.FromMilliseconds(50), TrafficTimeout));
            var deadline = DateTime.UtcNow + TrafficTimeout;
            while (DateTime.UtcNow < deadline && (!sender.IsCompleted || driver.Stack.Clients.OfType<TapBackend>().Sum(t => t.Counters.ReceivedPackets) < Datagrams))
            {
                rig.Loop.RunOnce(20);
            }
            sender.GetAwaiter().GetResult();
        }));
    }

    /// <summary>
    /// Builds the netdevs <paramref name="netdevs"/> gives (it may open fds first) as tapnet builds them, with a
    /// recorder in front of the real kernel; runs <paramref name="body"/>; then SIGTERM's orderly shutdown.
    /// </summary>
    private static string Session(Func<LinuxHost, string[]> netdevs, Action<LinuxHost, CoreDriver>? body = null)
    {
        using var rig = new LinuxHost();
        string[] args = netdevs(rig);
        var sink = new MemoryTraceSink();
        var run = new TracedRun(rig.Os, sink, new TraceHeader
        {
            TapnetVersion = typeof(TapnetProgram).Assembly.GetName().Version?.ToString(3) ?? "",
            Kernel = TraceServices.KernelRelease(),
            Payloads = TracePayloads.Full,
            Netdevs = args.Select(n => new TraceNetdev("-netdev", n)).ToList(),
            Environment = new NetdevEnvironment(),
        });
        if (run.CreateNetdevs())
        {
            body?.Invoke(rig, run.Driver);
            run.Shutdown(SigTerm);
        }
        return sink.Text;
    }
}
