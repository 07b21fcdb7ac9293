using Tap.Core.Frontend;
using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;
using Tap.Trace;
using Tap.Sim;

namespace Tap.Tests.Trace;

/// <summary>
/// Every IOsNet call, with its successes and its failures, recorded on the simulated kernel and answered again by
/// <see cref="ReplayOsNet"/> with the same result; and every front-end operation replayed by the replayer.
/// </summary>
public sealed class TraceCallsTests
{
    private static SimKernel Kernel()
    {
        var k = new SimKernel(3) { VhostPresent = true, VhostInitFailsFrom = 1 };
        k.Scripts["/s/ok"] = SimScript.Succeeds;
        k.Scripts["/s/exit3"] = SimScript.Exits(3);
        k.Scripts["/s/killed"] = SimScript.KilledBy(9);
        k.Scripts["/s/hangs"] = SimScript.Hangs;
        k.Scripts["/s/nowait"] = SimScript.WaitFails;
        foreach (var sends in Enum.GetValues<SimHelperSends>())
        {
            k.Helpers["/h/" + sends] = new SimHelper(sends, ChildOutcome.Exit(sends == SimHelperSends.Nothing ? 1 : 0));
        }
        k.AddNamedFd("given", k.AddOtherFd("given"));
        return k;
    }

    /// <summary>One of each call, and each outcome kind a call has, in an order that makes sense to a kernel.</summary>
    private static List<string> Calls(IOsNet os)
    {
        var results = new List<string>();
        void Add(object r) => results.Add(r.ToString()!);
        var fd = os.OpenTunControl();
        Add(fd);
        Add(os.TunGetFeatures(fd.Value));
        Add(os.TunSetIff(fd.Value, "tr%d", TunFlags.Tap | TunFlags.NoPi | TunFlags.VnetHdr | TunFlags.MultiQueue));
        Add(os.TunGetIff(fd.Value));
        Add(os.SetNonBlocking(fd.Value));
        Add(os.TunSetVnetHdrSize(fd.Value, 12));
        Add(os.TunSetVnetHdrSize(fd.Value, 3));
        Add(os.TunSetOffload(fd.Value, TunOffload.Csum | TunOffload.Tso4));
        Add(os.TunSetSndBuf(fd.Value, 65536));
        Add(os.TunSetVnetLe(fd.Value, true));
        Add(os.TunSetVnetLe(fd.Value, false));
        Add(os.TunSetVnetBe(fd.Value, true));
        Add(os.TunSetQueue(fd.Value, TunFlags.DetachQueue));
        Add(os.TunSetQueue(fd.Value, TunFlags.AttachQueue));
        Add(os.TunSetSteeringEbpf(fd.Value, -1));
        // The rate limits' clock and timer (docs/rate-limits.md#time), with a refused time and a bad fd.
        Add(os.ClockMonotonicNs());
        var timer = os.TimerFdCreate();
        Add(timer);
        Add(os.TimerFdSetTime(timer.Value, 2_000_000_000));
        Add(os.TimerFdSetTime(timer.Value, -5));
        Add(os.TimerFdSetTime(new Fd(99), 0));
        Add(os.Close(timer.Value));
        Span<byte> buffer = stackalloc byte[2048];
        Add(os.Read(fd.Value, buffer));
        Add(os.Write(fd.Value, new byte[12], new byte[60]));
        Add(os.TakeNamedFd("given"));
        Add(os.TakeNamedFd("unknown"));
        foreach (var script in new[] { "/s/ok", "/s/exit3", "/s/killed", "/s/hangs", "/s/nowait", "/s/missing" })
        {
            Add(os.RunScript(script, "tr0", fd.Value));
        }
        foreach (var sends in Enum.GetValues<SimHelperSends>())
        {
            var h = os.RunBridgeHelper(new HelperLaunch("/h/" + sends, ["--use-vnet"], ["--br=br0", "a \"quoted\" arg"]));
            Add(h);
            if (h.Receive == HelperReceive.Fd)
            {
                Add(os.Close(h.ReceivedFd));
            }
        }
        var vhost = os.OpenVhostNet();
        Add(vhost);
        Add(os.VhostNetInit(vhost.Value, fd.Value, true, 50));
        Add(os.VhostNetInit(vhost.Value, fd.Value, false, 0));
        Add(os.VhostNetStart(vhost.Value, fd.Value));
        Add(os.VhostNetStart(vhost.Value, new Fd(0)));
        Add(os.VhostNetStop(vhost.Value));
        os.VhostNetCleanup(vhost.Value);
        Add(os.VhostNetStop(vhost.Value));
        Add(os.Close(vhost.Value));
        os.Report(new Diagnostic(DiagnosticKind.Error, "an error"));
        os.Report(new Diagnostic(DiagnosticKind.Warning, "a warning with \\ and \" and \t"));
        os.Report(new Diagnostic(DiagnosticKind.Raw, "raw"));
        Add(os.Close(fd.Value));
        Add(os.Close(fd.Value));
        Add(os.SetNonBlocking(new Fd(99)));
        return results;
    }

    [Fact(DisplayName = "Trace: every IOsNet call and outcome kind is recorded and answered back unchanged by the replay")]
    public void EveryCallRoundTrips()
    {
        var sink = new MemoryTraceSink();
        var recorder = new RecordingOsNet(Kernel(), new TraceWriter(sink, new TraceHeader { TapnetVersion = "t", Kernel = "sim" }));
        var recorded = Calls(recorder);
        recorder.End();
        var trace = TraceFile.Parse(sink.ToArray());
        var reports = new List<Diagnostic>();
        var replay = new ReplayOsNet(trace) { ReportSink = reports.Add };
        var replayed = Calls(replay);
        Assert.Equal(recorded, replayed);
        Assert.Null(replay.Peek);
        Assert.Equal(["an error", "a warning with \\ and \" and \t", "raw"], reports.Select(r => r.Message));
        Assert.Contains(trace.Records, r => r.Body.EndsWith("-> exec-failed 1 ENOENT", StringComparison.Ordinal));
        Assert.Contains(trace.Records, r => r.Body.Contains("-> eof", StringComparison.Ordinal));
        Assert.Contains(trace.Records, r => r.Body.Contains("-> fail ", StringComparison.Ordinal));
        Assert.Contains(trace.Records, r => r.Body.StartsWith("VhostNetStart ", StringComparison.Ordinal) && r.Body.EndsWith("-> err ENOTSOCK", StringComparison.Ordinal));
        Assert.Contains(trace.Records, r => r.Body.StartsWith("VhostNetStop ", StringComparison.Ordinal) && r.Body.EndsWith("-> err EPERM", StringComparison.Ordinal));
        Assert.Contains(trace.Records, r => r.Body == "ClockMonotonic -> ok 1000000000");
        Assert.Contains(trace.Records, r => r.Body.StartsWith("TimerFdSetTime ", StringComparison.Ordinal) && r.Body.EndsWith(" -5 -> err EINVAL", StringComparison.Ordinal));
    }

    [Fact(DisplayName = "Trace: every front-end operation (capture, each queue control, stop) replays as recorded")]
    public void EveryOperationReplays()
    {
        var sink = new MemoryTraceSink();
        var kernel = new SimKernel(5) { VhostPresent = true };
        string[] netdevs = ["tap,id=mq,ifname=simmq0,queues=2,script=no,downscript=no", "hubport,id=h0,hubid=0,netdev=mq",
            "tap,id=v0,ifname=simv0,script=no,downscript=no,vhost=on,poll-us=50"];
        var recorder = new RecordingOsNet(kernel, new TraceWriter(sink, new TraceHeader
        {
            TapnetVersion = "t",
            Kernel = "sim",
            Netdevs = netdevs.Select(n => new TraceNetdev("-netdev", n)).ToList(),
        }));
        var stack = new NetStack { EventObserver = recorder };
        var driver = new CoreDriver(stack, recorder, new NetdevEnvironment(), new TraceFrontendEvents(recorder));
        Assert.True(driver.CreateNetdev(0, NetdevParser.Parse(netdevs[0]).Options!).Ok);
        Assert.True(driver.CreateNetdev(1, NetdevParser.Parse(netdevs[1]).Options!).Ok);
        Assert.True(driver.CreateNetdev(2, NetdevParser.Parse(netdevs[2]).Options!).Ok);
        var q = (TapBackend)stack.Clients[0];
        var v = stack.Clients.OfType<TapBackend>().Single(c => c.Name == "v0");
        driver.Capture(q, new CountingObserver());
        driver.PlanOffloads();
        var results = new List<int>();
        foreach (var (op, arg) in new (QueueControl, long)[]
        {
            (QueueControl.Disable, 0), (QueueControl.Enable, 0), (QueueControl.PollOff, 0), (QueueControl.PollOn, 0),
            (QueueControl.VnetHdrLen, 12), (QueueControl.VnetLe, 1), (QueueControl.VnetBe, 1), (QueueControl.Offload, (long)(TunOffload.Csum | TunOffload.Tso4)),
        })
        {
            results.Add(driver.Control(q, op, arg));
        }
        // vhost-start on a queue without vhost, then start, stop and start again on one with it (left started: cleanup stops it).
        foreach (var (target, op) in new[] { (q, QueueControl.VhostStart), (v, QueueControl.VhostStart), (v, QueueControl.VhostStop), (v, QueueControl.VhostStart) })
        {
            results.Add(driver.Control(target, op));
        }
        Assert.Equal([-22, 0, 0, 0], results.TakeLast(4));
        driver.Stopped(0);
        driver.DeleteAll();
        recorder.End();

        var trace = TraceFile.Parse(sink.ToArray());
        var outcome = TraceReplayer.Replay(trace);
        Assert.True(outcome.Ok, outcome.Message);
        Assert.Contains(trace.Records, r => r.Body == "control \"mq\" 0 vnet-be 1");
        Assert.Contains(trace.Records, r => r.Body == "capture \"mq\" 0");
        Assert.Contains(trace.Records, r => r.Body == "stop");
        Assert.Contains(trace.Records, r => r.Body == "control \"v0\" 0 vhost-stop 0");
        // One stop asked for, one made by cleanup for the queue left started (R40 step 1).
        Assert.Equal(2, trace.Records.Count(r => r.Body.StartsWith("VhostNetStop ", StringComparison.Ordinal)));
        Assert.Equal(results.Count, trace.Records.Count(r => r.Kind == TraceRecordKind.Note && r.Body.StartsWith("control ", StringComparison.Ordinal)));
        Assert.Equal(Enum.GetValues<QueueControl>(), Enum.GetValues<QueueControl>().Select(op => TraceFrontendEvents.FromWord(TraceFrontendEvents.Word(op))!.Value));
        Assert.Null(TraceFrontendEvents.FromWord("bogus"));
    }

    private sealed class CountingObserver : IPacketObserver
    {
        public int Packets { get; private set; }

        public void OnPacket(NetClient client, ReadOnlySpan<byte> packet, bool outgoing) => Packets++;
    }
}
