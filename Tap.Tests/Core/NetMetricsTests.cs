using System.Diagnostics.Metrics;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;
using Tap.Sim;

namespace Tap.Tests.Core;

/// <summary>
/// The tapnet meter seen by a MeterListener, as dotnet-counters or an exporter sees it, after traffic driven in the
/// simulator. Expected numbers are the traffic the test sent, never read from the counters.
/// </summary>
public sealed class NetMetricsTests
{
    [Fact(DisplayName = "Metrics: names, units, and per-netdev, per-direction values of the traffic sent")]
    public void InstrumentsCountTheTraffic()
    {
        var rig = new SimRig(vnetHdr: false);
        var peer = rig.Peer(virtio: true);
        using var metrics = new NetMetrics(rig.Stack);

        for (int i = 0; i < 5; i++)
        {
            rig.Kernel.HostSend("tap0", SimRig.Frame(100)); // host -> tap t0 -> nic0
        }
        rig.Kernel.RunUntilIdle();
        for (int i = 0; i < 3; i++)
        {
            Assert.True(peer.Transmit(SimRig.Frame(80)) > 0); // nic0 -> t0 -> host
        }
        rig.Kernel.RunUntilIdle();
        rig.Tap.LinkDown = true;
        for (int i = 0; i < 2; i++)
        {
            peer.Transmit(SimRig.Frame(60)); // t0's link is down: nic0 loses both (Q10.1)
        }
        rig.Tap.LinkDown = false;
        peer.Refuse();
        rig.Kernel.HostSend("tap0", SimRig.Frame(64));
        rig.Kernel.HostSend("tap0", SimRig.Frame(64));
        rig.Kernel.RunUntilIdle(); // the first waits in nic0's queue and t0 stops reading (R21)

        var seen = Collect(metrics);

        Assert.Equal(("{packet}", 6L), seen[("tapnet.packets", "t0", 0, "direction=tx")]);
        Assert.Equal(("{packet}", 3L), seen[("tapnet.packets", "t0", 0, "direction=rx")]);
        Assert.Equal(("By", 564L), seen[("tapnet.bytes", "t0", 0, "direction=tx")]);
        Assert.Equal(("By", 240L), seen[("tapnet.bytes", "t0", 0, "direction=rx")]);
        Assert.Equal(("{packet}", 5L), seen[("tapnet.packets", "nic0", 0, "direction=tx")]);
        Assert.Equal(("{packet}", 5L), seen[("tapnet.packets", "nic0", 0, "direction=rx")]);
        Assert.Equal(("By", 360L), seen[("tapnet.bytes", "nic0", 0, "direction=tx")]);
        Assert.Equal(("By", 500L), seen[("tapnet.bytes", "nic0", 0, "direction=rx")]);
        Assert.Equal(("{packet}", 2L), seen[("tapnet.drops", "nic0", 0, "reason=receiver-link-down")]);
        Assert.Equal(("{packet}", 0L), seen[("tapnet.drops", "t0", 0, "reason=no-peer")]);
        Assert.Equal(("{stall}", 1L), seen[("tapnet.stalls", "t0", 0, "kind=back-pressure")]);
        Assert.Equal(("{stall}", 0L), seen[("tapnet.stalls", "t0", 0, "kind=eagain")]);
        Assert.Equal(("{packet}", 1L), seen[("tapnet.queue.length", "nic0", 0, "direction=rx")]);
        Assert.Equal(("{packet}", 0L), seen[("tapnet.queue.length", "t0", 0, "direction=rx")]);
        // Every drop reason is published for every client, whether it happened or not: 11 reasons, 2 clients.
        Assert.Equal(22, seen.Keys.Count(k => k.Instrument == "tapnet.drops"));
        Assert.Equal(
            new[] { "queue-overflow", "no-peer", "oversize", "purged", "read-error", "receiver-link-down", "rejected",
                "short-read", "write-error", "rate-limited", "not-a-frame" }.Order(),
            seen.Keys.Where(k => k.Instrument == "tapnet.drops" && k.Netdev == "t0").Select(k => k.Extra[7..]).Order());
    }

    [Fact(DisplayName = "Metrics: each queue of a multiqueue tap is its own series, numbered in creation order")]
    public void QueuesAreTagged()
    {
        var rig = new SimRig(vnetHdr: false, queues: 2);
        rig.Peer(virtio: true, queue: 0);
        rig.Peer(virtio: true, queue: 1);
        using var metrics = new NetMetrics(rig.Stack);
        for (int i = 0; i < 4; i++)
        {
            rig.Kernel.HostSend("tap0", SimRig.Frame(70), queueIndex: 1);
        }
        rig.Kernel.HostSend("tap0", SimRig.Frame(90), queueIndex: 0);
        rig.Kernel.RunUntilIdle();

        var seen = Collect(metrics);

        Assert.Equal(("{packet}", 1L), seen[("tapnet.packets", "t0", 0, "direction=tx")]);
        Assert.Equal(("{packet}", 4L), seen[("tapnet.packets", "t0", 1, "direction=tx")]);
        Assert.Equal(("By", 280L), seen[("tapnet.bytes", "t0", 1, "direction=tx")]);
        Assert.Equal(("{packet}", 4L), seen[("tapnet.packets", "nic1", 0, "direction=rx")]);
    }

    [Fact(DisplayName = "Metrics: the meter is named tapnet and has exactly the documented instruments")]
    public void InstrumentSet()
    {
        var rig = new SimRig(vnetHdr: false);
        using var metrics = new NetMetrics(rig.Stack);
        var names = new List<(string, string, string)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (i, _) =>
            {
                if (ReferenceEquals(i.Meter, metrics.Meter))
                {
                    names.Add((i.Name, i.Unit ?? "", i.GetType().Name.Split('`')[0]));
                }
            },
        };
        listener.Start();
        Assert.Equal("tapnet", metrics.Meter.Name);
        Assert.Equal(
            new[]
            {
                ("tapnet.bytes", "By", "ObservableCounter"), ("tapnet.drops", "{packet}", "ObservableCounter"),
                ("tapnet.packets", "{packet}", "ObservableCounter"),
                ("tapnet.program.runs", "{run}", "ObservableCounter"),
                ("tapnet.queue.length", "{packet}", "ObservableGauge"),
                ("tapnet.stalls", "{stall}", "ObservableCounter"),
            },
            names.Order().ToArray());
    }

    [Fact(DisplayName = "Metrics: network scripts and bridge helper runs, by program and how each ended")]
    public void ProgramRuns()
    {
        var k = new SimKernel(11);
        k.Scripts["/up"] = SimScript.Succeeds;
        k.Scripts["/down"] = new SimScript(ChildOutcome.Exit(3));
        k.Helpers["/h-ok"] = SimHelper.SendsTap();
        k.Helpers["/h-killed"] = new SimHelper(SimHelperSends.Nothing, ChildOutcome.Signal(9));
        var stack = new NetStack();
        using var metrics = new NetMetrics(stack);
        var env = new NetdevEnvironment();
        Assert.Null(TapInit.Run(stack, k, env, new TapOptions { Id = "t0", Script = "/up", Downscript = "/down" })
            .Error);
        Assert.NotNull(TapInit.Run(stack, k, env, new TapOptions { Id = "t1", Script = "/nowhere", Downscript = "no" })
            .Error);
        Assert.Null(BridgeInit.Run(stack, k, env, new BridgeOptions { Id = "b0", Br = "br0", Helper = "/h-ok" }).Error);
        Assert.NotNull(BridgeInit.Run(stack, k, env, new BridgeOptions { Id = "b1", Br = "br0", Helper = "/h-killed" })
            .Error);
        stack.DeleteAll(); // t0's down script runs and exits 3

        var runs = new Dictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (i, l) =>
            {
                if (ReferenceEquals(i.Meter, metrics.Meter) && i.Name == "tapnet.program.runs")
                {
                    Assert.Equal("{run}", i.Unit);
                    l.EnableMeasurementEvents(i);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, v, tags, _) =>
            runs[$"{tags[0].Key}={tags[0].Value} {tags[1].Key}={tags[1].Value}"] = v);
        listener.Start();
        listener.RecordObservableInstruments();

        var expected = new Dictionary<string, long>
        {
            ["program=up-script outcome=ok"] = 1,
            ["program=up-script outcome=exec-failed"] = 1,
            ["program=down-script outcome=failed"] = 1,
            ["program=bridge-helper outcome=ok"] = 1,
            ["program=bridge-helper outcome=signaled"] = 1,
        };
        Assert.Equal(21, runs.Count); // 3 programs, 7 outcomes each
        Assert.All(runs, kv => Assert.Equal(expected.GetValueOrDefault(kv.Key), kv.Value));
    }

    /// <summary>One collection of the instruments: (instrument, netdev, queue, other tag) to (unit, value).</summary>
    private static Dictionary<(string Instrument, string Netdev, int Queue, string Extra), (string? Unit, long Value)>
        Collect(NetMetrics metrics)
    {
        var seen = new Dictionary<(string, string, int, string), (string?, long)>();
        void Record(Instrument i, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string netdev = "";
            int queue = -1;
            string extra = "";
            foreach (var t in tags)
            {
                switch (t.Key)
                {
                    case "netdev": netdev = (string)t.Value!; break;
                    case "queue": queue = (int)t.Value!; break;
                    default: extra = $"{t.Key}={t.Value}"; break;
                }
            }
            Assert.True(seen.TryAdd((i.Name, netdev, queue, extra), (i.Unit, value)), $"{i.Name} {netdev} twice");
        }
        using var listener = new MeterListener
        {
            InstrumentPublished = (i, l) =>
            {
                if (ReferenceEquals(i.Meter, metrics.Meter) && i.Name != "tapnet.program.runs") // not per netdev
                {
                    l.EnableMeasurementEvents(i);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }
}
