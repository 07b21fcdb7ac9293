using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Sim;

namespace Tap.Tests.Core;

/// <summary>GSO on hubs (docs/differences.md#gso-hubs): GSO frames cross a hub of vnet taps unsplit, and never reach a port that cannot take them.</summary>
public sealed class HubOffloadPlannerTests
{
    private static (SimKernel K, NetStack Stack, List<TapBackend> Taps) Hub(ulong seed, params bool[] vnet)
    {
        var k = new SimKernel(seed);
        var stack = new NetStack();
        var taps = new List<TapBackend>();
        for (int i = 0; i < vnet.Length; i++)
        {
            var r = TapInit.Run(stack, k, new NetdevEnvironment(), new TapOptions { Id = $"t{i}", Ifname = $"gt{i}", Script = "no", Downscript = "no", VnetHdr = vnet[i] });
            taps.Add((TapBackend)r.Created[0]);
            k.SetLinkUp($"gt{i}", true);
            Assert.True(HubPortInit.Run(stack, new HubPortOptions { Id = $"h{i}", HubId = 0, Netdev = $"t{i}" }).Ok);
        }
        return (k, stack, taps);
    }

    [Fact(DisplayName = "GSO on hubs: a hub of vnet taps passes headers end to end with CSUM|TSO4|TSO6|ECN|UFO|USO on every tap")]
    public void AllVnet()
    {
        var (k, stack, taps) = Hub(1, true, true);
        var d = Assert.Single(HubOffloadPlanner.Apply(stack));
        Assert.True(d.Enabled);
        Assert.Equal(TunOffload.Csum | TunOffload.Tso4 | TunOffload.Tso6 | TunOffload.TsoEcn | TunOffload.Ufo | TunOffload.Uso4 | TunOffload.Uso6, d.Offloads);
        Assert.All(taps, t => Assert.True(t.UsingVnetHdr));
        Assert.Equal(d.Offloads, k.Device("gt0")!.Offload);
        Assert.Equal(d.Offloads, k.Device("gt1")!.Offload);

        // A 64 KB TSO frame with its header crosses unsplit, header and all.
        var header = new VirtioNetHeader(VirtioNetHeader.FlagNeedsCsum, VirtioNetHeader.GsoTcpV4, 54, 1448, 34, 16);
        var h = new byte[10];
        header.Write(h);
        var frame = new byte[65000];
        new Random(3).NextBytes(frame);
        k.HostSend("gt0", frame, vnetHeader: h);
        k.RunUntilIdle();
        var written = Assert.Single(k.HostReceive("gt1"));
        Assert.Equal(10 + frame.Length, written.Length);
        Assert.Equal(header, VirtioNetHeader.Read(written));
        Assert.Equal(frame, written.AsSpan(10).ToArray());
    }

    [Fact(DisplayName = "GSO on hubs: without USO on one tap, the hub leaves USO out for every tap")]
    public void CommonSubset()
    {
        var k = new SimKernel(2) { UsoKnown = false };
        var stack = new NetStack();
        for (int i = 0; i < 2; i++)
        {
            TapInit.Run(stack, k, new NetdevEnvironment(), new TapOptions { Id = $"t{i}", Script = "no", Downscript = "no" });
            HubPortInit.Run(stack, new HubPortOptions { Id = $"h{i}", HubId = 7, Netdev = $"t{i}" });
        }
        var d = Assert.Single(HubOffloadPlanner.Apply(stack));
        Assert.Equal(TunOffload.Csum | TunOffload.Tso4 | TunOffload.Tso6 | TunOffload.TsoEcn | TunOffload.Ufo, d.Offloads);
    }

    [Theory(DisplayName = "GSO on hubs: a hub with any port that cannot take GSO frames keeps every offload off")]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true, false)]
    public void NotAllVnet(params bool[] vnet)
    {
        var (k, stack, taps) = Hub(3, vnet);
        var d = Assert.Single(HubOffloadPlanner.Apply(stack));
        Assert.False(d.Enabled);
        Assert.All(taps, t => Assert.False(t.UsingVnetHdr));
        for (int i = 0; i < vnet.Length; i++)
        {
            Assert.Equal(TunOffload.None, k.Device($"gt{i}")!.Offload);
        }
    }

    [Fact(DisplayName = "GSO on hubs: a hub with a port that is not a tap (a lone port, a NIC) keeps offloads off")]
    public void OtherPorts()
    {
        var (k, stack, taps) = Hub(4, true, true);
        stack.GetOrCreateHub(0).AddPort("spare", null);
        Assert.False(Assert.Single(HubOffloadPlanner.Apply(stack)).Enabled);
        var lone = new NetStack();
        lone.GetOrCreateHub(9).AddPort(null, null);
        Assert.Equal("fewer than two ports", Assert.Single(HubOffloadPlanner.Apply(lone)).Reason);
        Assert.All(taps, t => Assert.False(t.UsingVnetHdr));
        Assert.Equal(TunOffload.None, k.Device("gt0")!.Offload);
    }

    [Fact(DisplayName = "GSO on hubs: a captured netdev on the hub keeps offloads off (a pcap holds Ethernet frames)")]
    public void CapturedPort()
    {
        var (k, stack, taps) = Hub(5, true, true);
        taps[1].Observer = new NullObserver();
        var d = Assert.Single(HubOffloadPlanner.Apply(stack));
        Assert.False(d.Enabled);
        Assert.Equal("netdev t1 is captured", d.Reason);
        Assert.Equal(TunOffload.None, k.Device("gt0")!.Offload);
    }

    private sealed class NullObserver : IPacketObserver
    {
        public void OnPacket(NetClient client, ReadOnlySpan<byte> packet, bool outgoing)
        {
        }
    }

    [Fact(DisplayName = "GSO on hubs, property: over random hubs, a tap without a vnet header never gets a frame longer than an MTU frame")]
    public void NeverGsoToPlainPorts()
    {
        var r = new SimRandom(99);
        for (int round = 0; round < 200; round++)
        {
            int ports = r.Next(2, 5);
            var vnet = Enumerable.Range(0, ports).Select(_ => r.Chance(0.7)).ToArray();
            var (k, stack, _) = Hub((ulong)round, vnet);
            HubOffloadPlanner.Apply(stack);
            for (int i = 0; i < 20; i++)
            {
                int from = r.Next(ports);
                var dev = k.Device($"gt{from}")!;
                // The kernel hands user space a super-frame only where TSO is on; otherwise it has segmented already.
                bool tso = (dev.Offload & TunOffload.Tso4) != 0;
                int size = tso && r.Chance(0.5) ? r.Next(1515, 65000) : r.Next(60, 1515);
                var h = new byte[10];
                if (size > 1514)
                {
                    new VirtioNetHeader(1, VirtioNetHeader.GsoTcpV4, 54, 1448, 34, 16).Write(h);
                }
                k.HostSend($"gt{from}", new byte[size], vnetHeader: h);
                k.RunUntilIdle();
            }
            for (int p = 0; p < ports; p++)
            {
                foreach (var w in k.HostReceive($"gt{p}"))
                {
                    if (!vnet[p])
                    {
                        Assert.True(w.Length <= 1514, $"round {round}: plain tap gt{p} was handed {w.Length} bytes");
                    }
                    else if (w.Length > 10 + 1514)
                    {
                        Assert.True(vnet.All(v => v), $"round {round}: GSO frame on a hub with a plain port");
                        Assert.NotEqual(0, w[1]);   // a super-frame always carries its GSO type
                    }
                }
            }
        }
    }
}
