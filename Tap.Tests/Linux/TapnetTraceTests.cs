using Tap.Trace;
using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary><c>tapnet --trace</c> on the real kernel, then <c>tapnet replay</c> of what it wrote.</summary>
[Collection(LinuxCollection.Name)]
public sealed class TapnetTraceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private const int Datagrams = 20;

    [SkippableTheory(DisplayName = "tapnet --trace: UDP through a hub recorded as it happens; tapnet replay matches every record")]
    [InlineData("full")]
    [InlineData("hash")]
    public void RecordThenReplay(string payloads)
    {
        LinuxTestGate.RequireTun(output);
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "run.trace");
        using (var run = Forward(path, payloads, "tta", "ttb"))
        {
            Assert.Equal(0, run.Tapnet.Terminate(Limit));
        }
        var trace = TraceFile.Parse(File.ReadAllBytes(path));
        Assert.Null(trace.Incomplete);
        Assert.Contains(trace.Records, r => r.Kind == TraceRecordKind.Event && r.Body == "signal 15");
        var writes = trace.Records.Where(r => r.Body.StartsWith("Write ", StringComparison.Ordinal)).ToList();
        Assert.True(writes.Count >= Datagrams, $"{writes.Count} writes recorded");
        Assert.Equal(payloads == "hash", writes.All(w => !w.Body.Contains(" x:", StringComparison.Ordinal)));

        var (code, stdout, stderr) = TapnetProcess.RunToEnd(null, Limit, "replay", path);
        output.WriteLine(stdout);
        Assert.True(code == 0, stderr);
        Assert.Contains("replay: ok: ", stdout, StringComparison.Ordinal);
    }

    [SkippableFact(DisplayName = "tapnet --trace: killed with SIGKILL, the trace still replays to its last whole record; exit 3 says it was cut")]
    public void KilledRunLeavesAReadableTrace()
    {
        LinuxTestGate.RequireTun(output);
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "killed.trace");
        using (var run = Forward(path, "full", "ttk", "ttl"))
        {
            HostCommand.Run("kill", "-KILL", run.Tapnet.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            run.Tapnet.Wait(Limit);
        }
        var trace = TraceFile.Parse(File.ReadAllBytes(path));
        Assert.NotNull(trace.Incomplete);
        Assert.Contains(trace.Records, r => r.Body.StartsWith("Write ", StringComparison.Ordinal));
        var (code, _, stderr) = TapnetProcess.RunToEnd(null, Limit, "replay", path);
        Assert.Equal(3, code);
        Assert.Contains("records after the header match, but the trace ends after record", stderr, StringComparison.Ordinal);
    }

    [SkippableFact(DisplayName = "tapnet --trace: an init error (a failing script) exits 1 with a complete trace, which replays (exit 0)")]
    public void InitErrorTraceReplays()
    {
        LinuxTestGate.RequireTun(output);
        using var ns = TestNetns.Create();
        using var dir = new TempDir();
        string down = dir.Write("down.sh", "#!/bin/sh\nexit 0\n");
        string fails = dir.Write("fails.sh", "#!/bin/sh\nexit 3\n");
        string path = Path.Combine(dir.Path, "init.trace");
        var (code, _, stderr) = TapnetProcess.RunToEnd(ns.Name, Limit, "--trace", path,
            "-netdev", $"tap,id=t0,ifname=tte0,script=no,downscript={down}", "-netdev", $"tap,id=t1,ifname=tte1,script={fails},downscript=no");
        Assert.Equal(1, code);
        Assert.Contains($"failed with status 768", stderr, StringComparison.Ordinal);
        var trace = TraceFile.Parse(File.ReadAllBytes(path));
        Assert.Null(trace.Incomplete);
        Assert.Contains(trace.Records, r => r.Kind == TraceRecordKind.Event && r.Body == "exit-notifiers");
        Assert.Contains(trace.Records, r => r.Kind == TraceRecordKind.Call && r.Body.StartsWith($"RunScript \"{down}\"", StringComparison.Ordinal));
        var (replayCode, stdout, replayErr) = TapnetProcess.RunToEnd(null, Limit, "replay", path);
        Assert.True(replayCode == 0, replayErr);
        Assert.Contains("replay: ok: ", stdout, StringComparison.Ordinal);
    }

    [SkippableFact(DisplayName = "tapnet --trace with a capture and --offload=off: the capture is an event, no offload plan; the replay matches")]
    public void CaptureAndOffloadOffReplay()
    {
        LinuxTestGate.RequireTun(output);
        using var ns = TestNetns.Create();
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "capture.trace");
        using (var tapnet = TapnetProcess.Start(ns.Name, "--trace", path, "--offload=off",
            "-netdev", "tap,id=t0,ifname=ttc0,script=no,downscript=no", "-netdev", "tap,id=t1,ifname=ttc1,script=no,downscript=no",
            "-netdev", "hubport,id=h0,hubid=0,netdev=t0", "-netdev", "hubport,id=h1,hubid=0,netdev=t1",
            "-object", $"filter-dump,id=f0,netdev=t0,file={Path.Combine(dir.Path, "t0.pcap")}"))
        {
            var deadline = DateTime.UtcNow + Limit;
            while (!File.Exists(path) || !File.ReadAllText(path).Contains(" E capture ", StringComparison.Ordinal))
            {
                Assert.False(tapnet.HasExited || DateTime.UtcNow > deadline, $"tapnet did not get going: {tapnet.Stderr}");
                Thread.Sleep(50);
            }
            Assert.Equal(0, tapnet.Terminate(Limit));
        }
        var trace = TraceFile.Parse(File.ReadAllBytes(path));
        Assert.Null(trace.Incomplete);
        Assert.Contains(trace.Records, r => r.Kind == TraceRecordKind.Event && r.Body == "capture \"t0\" 0");
        Assert.DoesNotContain(trace.Records, r => r.Body == "plan-offloads");
        var (code, stdout, stderr) = TapnetProcess.RunToEnd(null, Limit, "replay", path);
        Assert.True(code == 0, stderr);
        Assert.Contains("replay: ok: ", stdout, StringComparison.Ordinal);
    }

    private sealed record Run(TestNetns Home, TestNetns A, TestNetns B, TapnetProcess Tapnet) : IDisposable
    {
        public void Dispose()
        {
            Tapnet.Dispose();
            B.Dispose();
            A.Dispose();
            Home.Dispose();
        }
    }

    /// <summary>tapnet with two taps on a hub, the taps moved into namespaces of their own, and UDP across.</summary>
    private static Run Forward(string trace, string payloads, string tapA, string tapB)
    {
        var run = new Run(TestNetns.Create(), TestNetns.Create(), TestNetns.Create(), null!);
        try
        {
            run = run with
            {
                Tapnet = TapnetProcess.Start(run.Home.Name, "--trace", trace, $"--trace-payloads={payloads}",
                    "-netdev", $"tap,id=t0,ifname={tapA},script=no,downscript=no",
                    "-netdev", $"tap,id=t1,ifname={tapB},script=no,downscript=no",
                    "-netdev", "hubport,id=h0,hubid=0,netdev=t0",
                    "-netdev", "hubport,id=h1,hubid=0,netdev=t1"),
            };
            var deadline = DateTime.UtcNow + Limit;
            while (HostCommand.TryRun("ip", "-n", run.Home.Name, "link", "show", tapB).Code != 0)
            {
                if (run.Tapnet.HasExited || DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"tapnet did not create its taps: {run.Tapnet.Stderr}");
                }
                Thread.Sleep(50);
            }
            LinkLocal.MoveTap(run.Home, tapA, run.A, "169.254.78.1/24");
            LinkLocal.MoveTap(run.Home, tapB, run.B, "169.254.78.2/24");
            LinkLocal.SendUdp(run.A, "169.254.78.2", 7778, Datagrams, 100, TimeSpan.FromMilliseconds(20), Limit);
            // Forwarded frames show as Write records (one write per record, streamed): wait for one, not for time.
            while (!File.ReadAllText(trace).Contains(" C Write ", StringComparison.Ordinal))
            {
                if (run.Tapnet.HasExited || DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"tapnet forwarded nothing into its trace: {run.Tapnet.Stderr}");
                }
                Thread.Sleep(20);
            }
            return run;
        }
        catch
        {
            run.Tapnet?.Dispose();
            run.B.Dispose();
            run.A.Dispose();
            run.Home.Dispose();
            throw;
        }
    }
}
