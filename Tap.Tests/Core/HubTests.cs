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

    /// <summary>Hub 0 with one port per name, added in order (so the last is first, Q20): port "pX" for client "X".</summary>
    private static (NetStack Stack, NetHub Hub, ScriptedClient[] Clients) HubOf(params string[] names)
    {
        var stack = new NetStack();
        var hub = stack.GetOrCreateHub(0);
        var clients = names.Select(n => new ScriptedClient(stack, null, n)).ToArray();
        foreach (var client in clients)
        {
            hub.AddPort("p" + client.Name, client);
        }
        return (stack, hub, clients);
    }

    [Fact(DisplayName = "Q23: a packet from one port goes out of every other port, never back")]
    public void Forwarding()
    {
        var (_, _, clients) = HubOf("a", "b", "c");
        var (a, b, c) = (clients[0], clients[1], clients[2]);
        Assert.Equal(64, a.SendAsync(ScriptedClient.Frame(5), a));
        Assert.Empty(a.Got);
        Assert.Single(b.Got);
        Assert.Single(c.Got);
    }

    [Fact(DisplayName = "Q23: a port added while the hub forwards does not get that frame, and no port gets it twice")]
    public void PortAddedDuringForward()
    {
        var (stack, hub, clients) = HubOf("a", "b");
        var (a, b) = (clients[0], clients[1]);
        var late = new ScriptedClient(stack, null, "late");
        b.DuringReceive = () =>
        {
            b.DuringReceive = null;
            hub.AddPort("pl", late); // newest first: it goes in front of pb
        };

        Assert.Equal(64, a.SendAsync(ScriptedClient.Frame(7), a));
        Assert.Single(b.Got);
        Assert.Empty(late.Got);
        Assert.Equal(new[] { "pl", "pb", "pa" }, hub.Ports.Select(p => p.Name));

        // The next frame reaches the new port too.
        Assert.Equal(64, a.SendAsync(ScriptedClient.Frame(8), a));
        Assert.Equal(2, b.Got.Count);
        Assert.Single(late.Got);
    }

    [Fact(DisplayName = "Q23/Q18: a port deleted while the hub forwards gets nothing more; the others still do")]
    public void PortDeletedDuringForward()
    {
        var (stack, hub, clients) = HubOf("a", "b", "c");
        var (a, b, c) = (clients[0], clients[1], clients[2]);
        var pb = (HubPort)b.Peer!;
        c.DuringReceive = () =>
        {
            c.DuringReceive = null;
            stack.Delete(pb); // pc is first (newest), pb would be next
        };

        Assert.Equal(64, a.SendAsync(ScriptedClient.Frame(9), a));
        Assert.Single(c.Got);
        Assert.Empty(b.Got);
        Assert.True(pb.Deleted);
        Assert.Equal(new[] { "pc", "pa" }, hub.Ports.Select(p => p.Name));
        Assert.Equal(64, a.SendAsync(ScriptedClient.Frame(10), a));
        Assert.Equal(2, c.Got.Count);
        Assert.Empty(b.Got);
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
