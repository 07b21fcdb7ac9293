using Tap.Core.Net;
using Tap.Tests.Core;

namespace Tap.Tests.Pins;

/// <summary>Q20-Q25 details the hub tests left open: port numbering, newest-first delivery, the other ports' flush.</summary>
public sealed class HubPinsTests
{
    /// <summary>A receiver that writes its name into a shared log, so the order across receivers shows.</summary>
    private sealed class Logged : NetClient
    {
        private readonly List<string> _log;

        public Logged(NetStack stack, string name, List<string> log)
            : base(stack, null, "logged", name) => _log = log;

        public override int Receive(ReadOnlySpan<byte> packet)
        {
            _log.Add(Name);
            return packet.Length;
        }
    }

    [Fact(DisplayName = "Q20: unnamed ports count on per hub (hub5port0, hub5port1, hub5port2), named ones use a number too, removed ones are not reused")]
    public void PortNumbers()
    {
        var stack = new NetStack();
        var hub = stack.GetOrCreateHub(5);
        var first = hub.AddPort(null, null);
        hub.AddPort("named", null);
        stack.Delete(first);
        hub.AddPort(null, null);
        Assert.Equal(new[] { "hub5port2", "named" }, hub.Ports.Select(p => p.Name));
        Assert.Equal("hub6port0", stack.GetOrCreateHub(6).AddPort(null, null).Name);
        Assert.Equal(new[] { 5, 6 }, stack.Hubs.Select(h => h.Id));
    }

    [Fact(DisplayName = "Q23: a frame leaves by every other port newest first")]
    public void NewestFirst()
    {
        var stack = new NetStack();
        var log = new List<string>();
        var hub = stack.GetOrCreateHub(0);
        var src = new Logged(stack, "src", log);
        hub.AddPort("p0", src);
        foreach (var name in new[] { "x", "y", "z" })
        {
            hub.AddPort($"p-{name}", new Logged(stack, name, log));
        }
        Assert.Equal(64, src.Send(ScriptedClient.Frame(1)));
        Assert.Equal(new[] { "z", "y", "x" }, log);
    }

    [Fact(DisplayName = "Q24: a port's receiver opening flushes what waits to enter the hub at the other ports first, then its own queue (QEMU's order)")]
    public void FlushOtherPorts()
    {
        var stack = new NetStack();
        var hub = stack.GetOrCreateHub(0);
        var a = new ScriptedClient(stack, null, "a") { NextResult = 0 };
        var c = new ScriptedClient(stack, null, "c");
        hub.AddPort("pa", a);
        var pc = hub.AddPort("pc", c);
        Assert.Equal(64, c.SendAsync(ScriptedClient.Frame(1), c));   // the hub takes it; a refuses its copy
        Assert.Equal(1, a.IncomingQueue.Count);
        Assert.Equal(0, c.SendAsync(ScriptedClient.Frame(2), c));    // no other port can send: waits at pc
        Assert.Equal(1, pc.IncomingQueue.Count);
        a.NextResult = null;
        a.FlushQueuedPackets();
        Assert.Equal(new byte[] { 2, 1 }, a.Got.Select(f => f[0]));
        Assert.Equal(0, pc.IncomingQueue.Count + a.IncomingQueue.Count);
        Assert.Equal(64, Assert.Single(c.Completed).Length);
    }

    [Fact(DisplayName = "Q21: a hub port is a client of model hubport that a backend pads short frames for")]
    public void PortModel()
    {
        var stack = new NetStack();
        var a = new ScriptedClient(stack, null, "a");
        var port = stack.GetOrCreateHub(0).AddPort("p", a);
        Assert.Equal("hubport", port.Model);
        Assert.True(NetStack.PeerNeedsPadding(a));
    }
}
