using Tap.Core.Net;

namespace Tap.Tests.Core;

public sealed class HubTests
{
    [Fact(DisplayName = "Q20: ports are kept newest first; unnamed ports are hub<id>port<k>")]
    public void PortOrderAndNames()
    {
        var stack = new NetStack();
        var hub = stack.GetOrCreateHub(3);
        hub.AddPort(null, null);
        hub.AddPort("h1", null);
        Assert.Equal(new[] { "h1", "hub3port0" }, hub.Ports.Select(p => p.Name));
        Assert.Same(hub, stack.GetOrCreateHub(3));
    }

    [Fact(DisplayName = "Q23: a packet from one port goes out of every other port, never back")]
    public void Forwarding()
    {
        var stack = new NetStack();
        var hub = stack.GetOrCreateHub(0);
        var a = new ScriptedClient(stack, null, "a");
        var b = new ScriptedClient(stack, null, "b");
        var c = new ScriptedClient(stack, null, "c");
        hub.AddPort("pa", a);
        hub.AddPort("pb", b);
        hub.AddPort("pc", c);
        Assert.Equal(64, a.SendAsync(ScriptedClient.Frame(5), a));
        Assert.Empty(a.Got);
        Assert.Single(b.Got);
        Assert.Single(c.Got);
    }

    [Fact(DisplayName = "Q22/Q25: a hub with one port never receives; the sender's packet waits with its callback")]
    public void SinglePortHubBlocks()
    {
        var stack = new NetStack();
        var hub = stack.GetOrCreateHub(0);
        var a = new ScriptedClient(stack, null, "a");
        var pa = hub.AddPort("pa", a);
        Assert.Equal(0, a.SendAsync(ScriptedClient.Frame(1), a));
        Assert.Equal(1, pa.IncomingQueue.Count);

        // A second port appears with a receiver; its flush (Q13 → Q24) lets the packet through.
        var b = new ScriptedClient(stack, null, "b");
        hub.AddPort("pb", b);
        b.FlushQueuedPackets();
        Assert.Single(b.Got);
        Assert.Equal(64, Assert.Single(a.Completed).Length);
    }

    [Fact(DisplayName = "Q23/Q25: a blocked port queues its copy without a callback; the hub still accepts")]
    public void PartiallyBlocked()
    {
        var stack = new NetStack();
        var hub = stack.GetOrCreateHub(0);
        var a = new ScriptedClient(stack, null, "a");
        var b = new ScriptedClient(stack, null, "b") { NextResult = 0 };
        var c = new ScriptedClient(stack, null, "c");
        hub.AddPort("pa", a);
        hub.AddPort("pb", b);
        hub.AddPort("pc", c);
        Assert.Equal(64, a.SendAsync(ScriptedClient.Frame(1), a));
        Assert.Single(c.Got);
        Assert.Equal(1, b.IncomingQueue.Count);
        Assert.Empty(a.Completed);
        b.NextResult = null;
        b.FlushQueuedPackets();
        Assert.Single(b.Got);
    }

    [Fact(DisplayName = "Q16/Q21: a hub port pads; a virtio-like peer does not")]
    public void PaddingNeed()
    {
        var stack = new NetStack();
        var hub = stack.GetOrCreateHub(0);
        var a = new ScriptedClient(stack, null, "a");
        hub.AddPort("pa", a);
        Assert.True(NetStack.PeerNeedsPadding(a));
        var v = new ScriptedClient(stack, null, "v", doNotPad: true);
        var w = new ScriptedClient(stack, v, "w");
        Assert.False(NetStack.PeerNeedsPadding(w));
        var lone = new ScriptedClient(stack, null, "lone");
        Assert.False(NetStack.PeerNeedsPadding(lone));
    }
}
