using Tap.Core.Net;
using Tap.Tests.Core;

namespace Tap.Tests.Pins;

/// <summary>The client list and the VM run state (Q1, Q2, Q15), with the expected clients and frames written out.</summary>
public sealed class NetStackPinsTests
{
    [Fact(DisplayName = "Q2: FindAll gives every client with the name, in creation order, and nothing for an unknown name")]
    public void FindAllByName()
    {
        var stack = new NetStack();
        var q0 = new ScriptedClient(stack, null, "q");
        new ScriptedClient(stack, null, "x");
        var q1 = new ScriptedClient(stack, null, "q");
        Assert.Equal(new NetClient[] { q0, q1 }, stack.FindAll("q"));
        Assert.Empty(stack.FindAll("none"));
    }

    [Fact(DisplayName = "Q1/O50: peering with a client that has a peer is refused with a message naming it, and leaves both links as they were")]
    public void PeerTaken()
    {
        var stack = new NetStack();
        var a = new ScriptedClient(stack, null, "a");
        var b = new ScriptedClient(stack, a, "b");
        var ex = Assert.Throws<InvalidOperationException>(() => new ScriptedClient(stack, a, "c"));
        Assert.Contains("'a'", ex.Message);
        Assert.Same(b, a.Peer);
        Assert.Equal(new NetClient[] { a, b }, stack.Clients);
    }

    [Fact(DisplayName = "Q15: starting the VM with a client that has no peer flushes the others' queues (frames sent while stopped arrive)")]
    public void StartWithPeerlessClient()
    {
        var stack = new NetStack();
        new ScriptedClient(stack, null, "lone");
        var a = new ScriptedClient(stack, null, "a");
        var b = new ScriptedClient(stack, a, "b");
        stack.StopVm();
        Assert.Equal(0, a.SendAsync(ScriptedClient.Frame(1), a));
        stack.StartVm();
        Assert.Equal(new byte[] { 1 }, b.Got.Select(f => f[0]));
        Assert.Equal(64, Assert.Single(a.Completed).Length);
    }

    [Fact(DisplayName = "Q15: starting the VM does not push to a receiver whose receive is disabled; its own flush delivers")]
    public void StartSkipsBusyReceiver()
    {
        var stack = new NetStack();
        var a = new ScriptedClient(stack, null, "a");
        var b = new ScriptedClient(stack, a, "b") { NextResult = 0 };
        Assert.Equal(0, a.SendAsync(ScriptedClient.Frame(1), a));   // b busy: queued, b's receive disabled
        stack.StopVm();                                             // b still refuses: frame 1 purged (0)
        Assert.Equal(0, a.SendAsync(ScriptedClient.Frame(2), a));   // stopped: queued
        b.NextResult = null;                                        // b could take it but has not flushed
        stack.StartVm();
        Assert.Empty(b.Got);
        Assert.Equal(1, b.IncomingQueue.Count);
        b.FlushQueuedPackets();
        Assert.Equal(new byte[] { 2 }, b.Got.Select(f => f[0]));
        Assert.Equal(new[] { 0, 64 }, a.Completed.Select(c => c.Length));
    }
}
