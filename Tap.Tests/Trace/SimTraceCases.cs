using Tap.Trace;
using Tap.Sim;
using Tap.Sim.Scenarios;

namespace Tap.Tests.Trace;

/// <summary>Simulated tapnet runs that cover the recorded kinds of record: the topologies round trips use.</summary>
internal static class SimTraceCases
{
    public sealed record Case(string Name, IReadOnlyList<string> Netdevs, TracePayloads Payloads = TracePayloads.Full, Action<SimKernel>? Setup = null)
    {
        public override string ToString() => Name;
    }

    public static readonly IReadOnlyDictionary<string, Case> All = new[]
    {
        new Case("hub", TracedNetdevRun.DefaultNetdevs),
        new Case("hub-hashed", TracedNetdevRun.DefaultNetdevs, TracePayloads.Hash),
        new Case("no-vnet-hdr", [
            "tap,id=t0,ifname=simtap0,script=no,downscript=no,vnet_hdr=off",
            "tap,id=t1,ifname=simtap1,script=no,downscript=no,vnet_hdr=off",
            "hubport,id=h0,hubid=0,netdev=t0",
            "hubport,id=h1,hubid=0,netdev=t1"]),
        new Case("multiqueue", ["tap,id=mq,ifname=simmq0,queues=3,script=no,downscript=no"]),
        new Case("eagain", [
            "tap,id=t0,ifname=simtap0,script=no,downscript=no,sndbuf=3000",
            "tap,id=t1,ifname=simtap1,script=no,downscript=no,sndbuf=3000",
            "hubport,id=h0,hubid=0,netdev=t0",
            "hubport,id=h1,hubid=0,netdev=t1"]),
        new Case("scripts", ["tap,id=t0,ifname=simtap0,script=/sim/up,downscript=/sim/down"], Setup: k =>
        {
            k.Scripts["/sim/up"] = SimScript.Succeeds;
            k.Scripts["/sim/down"] = SimScript.Succeeds;
        }),
        new Case("vhost", [
            "tap,id=t0,ifname=simtap0,script=no,downscript=no,vhost=on,poll-us=20,queues=2",
            "tap,id=t1,ifname=simtap1,script=no,downscript=no,vnet_hdr=off,vhost=on",
            "hubport,id=h0,hubid=0,netdev=t0",
            "hubport,id=h1,hubid=0,netdev=t1"], Setup: k => k.VhostPresent = true),
        new Case("stream", [
            "tap,id=t0,ifname=simtap0,script=no,downscript=no",
            "tap,id=t1,ifname=simtap1,script=no,downscript=no",
            "stream,id=s0,server=on,addr.type=unix,addr.path=/sim/s.sock",
            "stream,id=s1,reconnect-ms=3,addr.type=unix,addr.path=/sim/s.sock",
            "hubport,id=h0,hubid=0,netdev=t0",
            "hubport,id=h1,hubid=0,netdev=s1",
            "hubport,id=h2,hubid=1,netdev=t1",
            "hubport,id=h3,hubid=1,netdev=s0"]),
        new Case("dgram", [
            "tap,id=t0,ifname=simtap0,script=no,downscript=no",
            "tap,id=t1,ifname=simtap1,script=no,downscript=no",
            "dgram,id=d0,local.type=inet,local.host=169.254.7.1,local.port=7001,"
                + "remote.type=inet,remote.host=169.254.7.2,remote.port=7002",
            "dgram,id=d1,local.type=inet,local.host=169.254.7.2,local.port=7002,"
                + "remote.type=inet,remote.host=169.254.7.1,remote.port=7001",
            "hubport,id=h0,hubid=0,netdev=t0",
            "hubport,id=h1,hubid=0,netdev=d0",
            "hubport,id=h2,hubid=1,netdev=t1",
            "hubport,id=h3,hubid=1,netdev=d1"]),
        new Case("bridge-helper", ["bridge,id=b0,br=br0,helper=/sim/helper"], Setup: k => k.Helpers["/sim/helper"] = SimHelper.SendsTap()),
        new Case("init-error", [
            "tap,id=t0,ifname=simtap0,script=/sim/up,downscript=/sim/down",
            "tap,id=t1,ifname=simtap1,script=/sim/fails,downscript=no"], Setup: k =>
        {
            k.Scripts["/sim/up"] = SimScript.Succeeds;
            k.Scripts["/sim/down"] = SimScript.Succeeds;
            k.Scripts["/sim/fails"] = SimScript.Exits(3);
        }),
    }.ToDictionary(c => c.Name);

    /// <summary>The trace of <paramref name="c"/> run with <paramref name="seed"/> for <paramref name="steps"/> steps.</summary>
    public static string Record(Case c, ulong seed, int steps = 400)
    {
        var sink = new MemoryTraceSink();
        TracedNetdevRun.Run(seed, c.Netdevs, steps, sink, c.Payloads, c.Setup);
        return sink.Text;
    }

    public static byte[] Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
