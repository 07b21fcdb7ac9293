using Tap.Core.Frontend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.RateLimit;
using Tap.Sim;
using Tap.Trace;

namespace Tap.Tests.RateLimits;

/// <summary>Rate limits through the front end: errors, drops by reason, the seam's calls, and trace replay.</summary>
public sealed class RateLimitFlowTests
{
    private static readonly RateLimitSettings TenFramesPerSecond =
        new(BucketSettings.Off, new BucketSettings(10, 0, 1000));

    [Fact(DisplayName = "Rate limits: QEMU's messages for a taken id and an unknown netdev; one limit per direction")]
    public void Errors()
    {
        var rig = new HubRig(1);
        Assert.Null(rig.Driver.AddRateLimit("r0", "t0", RateDirection.Rx, TenFramesPerSecond));
        Assert.Equal("attempt to add duplicate property 'r0' to object (type 'container')",
            rig.Driver.AddRateLimit("r0", "t1", null, TenFramesPerSecond));
        Assert.Equal("Parameter 'netdev' expects a network backend id",
            rig.Driver.AddRateLimit("r1", "nope", null, TenFramesPerSecond));
        Assert.Equal("netdev 't0' already has a rate limit on rx ('r0')",
            rig.Driver.AddRateLimit("r1", "t0", null, TenFramesPerSecond));
        Assert.Null(rig.Driver.AddRateLimit("r1", "t0", RateDirection.Tx, TenFramesPerSecond));
        Assert.Equal("no rate limit 'r9'", rig.Driver.SetRateLimit("r9", TenFramesPerSecond));
        Assert.Equal(["r0 rx", "r1 tx"], rig.Driver.RateLimits.Limiters.Select(l => $"{l.Id} {Tap.Core.RateLimit.RateLimits.Word(l.Direction)}"));
    }

    [Fact(DisplayName = "Rate limits: without a limit the clock is never read and no timer exists")]
    public void NoLimitNoTime()
    {
        var rig = new HubRig(2);
        rig.Send(new byte[100], 50);
        rig.Kernel.RunUntilIdle();
        Assert.Equal(50, rig.Take());
        Assert.Equal(0, rig.Kernel.ClockReads);
        Assert.DoesNotContain(rig.Kernel.OpenFds, fd => rig.Kernel.FileOf(new Tap.Core.Os.Fd(fd)) is SimFile.Timer);
    }

    [Fact(DisplayName = "Rate limits: frames held back at a limited hub port beyond the queue limit are dropped as rate-limited")]
    public void OverflowIsRateLimited()
    {
        var rig = new HubRig(3);
        const int Frames = 10_500;
        FloodWithThirdPort(rig, "t1", RateDirection.Rx, Frames);
        long toT1 = rig.Take();
        var t1 = rig.Stack.Find("t1")!;
        var h1 = rig.Stack.Find("h1")!;
        Assert.Equal(10_000, t1.IncomingQueue.Count);
        Assert.Equal(Frames - 10_000 - toT1, h1.Counters.Drops(DropReason.RateLimited));
        Assert.Equal(0, h1.Counters.Drops(DropReason.QueueOverflow));
        Assert.Equal(10L, toT1);   // the bucket's 10 frames; the clock stood still meanwhile
    }

    [Fact(DisplayName = "Rate limits: a hub port held by its own tx limit drops past the queue limit as rate-limited")]
    public void SenderLimitOverflowIsRateLimited()
    {
        var rig = new HubRig(5);
        // As OverflowIsRateLimited, but the limit is on what h1 sends on to t1 (queue=tx), not on what t1 takes.
        FloodWithThirdPort(rig, "h1", RateDirection.Tx, 10_500);
        long toT1 = rig.Take();
        var t1 = rig.Stack.Find("t1")!;
        var h1 = rig.Stack.Find("h1")!;
        Assert.Equal(10_000, t1.IncomingQueue.Count);
        Assert.Equal(10L, toT1);
        Assert.Equal(490, h1.Counters.Drops(DropReason.RateLimited));
        Assert.Equal(0, h1.Counters.Drops(DropReason.QueueOverflow));
    }

    [Fact(DisplayName = "Rate limits: a run with limits, a live change and the timer replays from its trace, call for call")]
    public void TraceReplays()
    {
        var sink = new MemoryTraceSink();
        string[] netdevs = ["tap,id=t0,ifname=tap0,script=no,downscript=no", "tap,id=t1,ifname=tap1,script=no,downscript=no",
            "hubport,id=h0,hubid=0,netdev=t0", "hubport,id=h1,hubid=0,netdev=t1"];
        var kernel = new SimKernel(4);
        var recorder = new RecordingOsNet(kernel, new TraceWriter(sink, new TraceHeader
        {
            TapnetVersion = "t",
            Kernel = "sim",
            Netdevs = netdevs.Select(n => new TraceNetdev("-netdev", n)).ToList(),
        }));
        var stack = new NetStack { EventObserver = recorder };
        var driver = new CoreDriver(stack, recorder, new NetdevEnvironment(), new TraceFrontendEvents(recorder));
        for (int i = 0; i < netdevs.Length; i++)
        {
            Assert.True(driver.CreateNetdev(i, NetdevParser.Parse(netdevs[i]).Options!).Ok);
        }
        kernel.SetLinkUp("tap0", true);
        kernel.SetLinkUp("tap1", true);
        Assert.Null(driver.AddRateLimit("r0", "t1", RateDirection.Rx,
            new RateLimitSettings(new BucketSettings(1000, 500, 10), BucketSettings.Off)));
        Assert.NotNull(driver.AddRateLimit("r0", "t0", null, TenFramesPerSecond));
        for (int i = 0; i < 30; i++)
        {
            kernel.HostSend("tap0", new byte[300]);
        }
        kernel.RunUntilIdle(200);
        Assert.Null(driver.SetRateLimit("r0", new RateLimitSettings(new BucketSettings(600, 0, 5), new BucketSettings(3, 0, 1))));
        kernel.RunUntilIdle(200);
        Assert.Equal(30, kernel.HostReceive("tap1").Count);
        driver.Stopped(0);
        driver.DeleteAll();
        recorder.End();

        var trace = TraceFile.Parse(sink.ToArray());
        Assert.Contains(trace.Records, r => r.Body.StartsWith("TimerFdSetTime ", StringComparison.Ordinal));
        Assert.Contains(trace.Records, r => r.Body == "ratelimit-add \"r0\" \"t1\" rx 1000 500 10 0 0 0");
        Assert.Contains(trace.Records, r => r.Body == "ratelimit-set \"r0\" 600 0 5 3 0 1");
        Assert.Contains(trace.Records, r => r.Body.StartsWith("ratelimit \"r0\" error ", StringComparison.Ordinal));
        var outcome = TraceReplayer.Replay(trace);
        Assert.True(outcome.Ok, outcome.Message);
    }

    /// <summary>
    /// A third tap on the hub, then <paramref name="frames"/> frames of 100 bytes into tap0 with a limit of ten frames
    /// a second on <paramref name="limited"/>: the hub forwards whenever one port can take frames (Q22), so the
    /// limited one queues without a callback until QEMU's limit of 10000 (Q8); tap2's host side takes everything.
    /// </summary>
    private static void FloodWithThirdPort(HubRig rig, string limited, RateDirection direction, int frames)
    {
        string[] third = ["tap,id=t2,ifname=tap2,script=no,downscript=no", "hubport,id=h2,hubid=0,netdev=t2"];
        foreach (var arg in third)
        {
            Assert.True(rig.Driver.CreateNetdev(0, NetdevParser.Parse(arg).Options!).Ok);
        }
        rig.Kernel.SetLinkUp("tap2", true);
        rig.Limit(limited, direction, TenFramesPerSecond);
        var frame = new byte[100];
        while (rig.Sent < frames)
        {
            rig.Send(frame, (int)Math.Min(500, frames - rig.Sent));
            while (rig.Kernel.Device("tap0")!.Queues[0].Pending > 0)
            {
                rig.Kernel.RunOnce();
                rig.Kernel.HostReceive("tap2");
            }
        }
    }
}
