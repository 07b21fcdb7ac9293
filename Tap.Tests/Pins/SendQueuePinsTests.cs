using Tap.Core.Net;
using Tap.Sim;
using Tap.Tests.Core;

namespace Tap.Tests.Pins;

/// <summary>Q7-Q12 through the queue's ring: order survives growth past 16 entries with the head mid-ring.</summary>
public sealed class SendQueuePinsTests
{
    [Fact(DisplayName = "Q7/Q9: 30 queued packets, a partial flush (head moves), growth past 16 while wrapped: delivered 1..30 in order, each completed once")]
    public void OrderThroughGrowthAndWrap()
    {
        var stack = new NetStack();
        var a = new ScriptedClient(stack, null, "a");
        var guest = new SimGuestPeer(stack, a, "nic", virtio: true);
        guest.Refuse();
        for (byte tag = 1; tag <= 20; tag++)
        {
            Assert.Equal(0, a.SendAsync(ScriptedClient.Frame(tag, 64), a));
        }
        Assert.Equal(20, guest.IncomingQueue.Count);
        guest.Grant(5);
        Assert.Equal(15, guest.IncomingQueue.Count);
        for (byte tag = 21; tag <= 30; tag++)
        {
            Assert.Equal(0, a.SendAsync(ScriptedClient.Frame(tag, 64), a));
        }
        Assert.Equal(25, guest.IncomingQueue.Count);
        guest.Grant(3);
        guest.Open();
        Assert.Equal(Enumerable.Range(1, 30).Select(t => (byte)t), guest.Received.Select(f => f[0]));
        Assert.Equal(30, a.Completed.Count);
        Assert.All(a.Completed, c => Assert.Equal(64, c.Length));
        Assert.Equal(0, guest.IncomingQueue.Count);
    }

    [Fact(DisplayName = "Q11/Q12: purge after a partial flush drops exactly the rest, completing each with 0, and the queue works after")]
    public void PurgeAfterPartialFlush()
    {
        var stack = new NetStack();
        var a = new ScriptedClient(stack, null, "a");
        var guest = new SimGuestPeer(stack, a, "nic", virtio: true);
        guest.Refuse();
        for (byte tag = 1; tag <= 18; tag++)
        {
            a.SendAsync(ScriptedClient.Frame(tag, 32), a);
        }
        guest.Grant(4);
        a.PurgeQueuedPackets();
        Assert.Equal(0, guest.IncomingQueue.Count);
        Assert.Equal(14, a.Counters.Drops(DropReason.Purged));
        Assert.Equal(Enumerable.Repeat(32, 4).Concat(Enumerable.Repeat(0, 14)), a.Completed.Select(c => c.Length));
        guest.Open();
        Assert.Equal(33, a.SendAsync(ScriptedClient.Frame(33, 33), a));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 33 }, guest.Received.Select(f => f[0]));
    }

    [Fact(DisplayName = "Q18: a receiver deleted together with its sender completes nothing (the sender is going too)")]
    public void DestroyWithGoingSender()
    {
        var stack = new NetStack();
        var a = new ScriptedClient(stack, null, "same");
        var b = new ScriptedClient(stack, a, "same") { NextResult = 0 };
        a.SendAsync(ScriptedClient.Frame(1), a);
        a.SendAsync(ScriptedClient.Frame(2), a);
        stack.Delete(b);
        Assert.Empty(a.Completed);
        Assert.Equal(2, a.Counters.Drops(DropReason.Purged));
        Assert.True(a.Deleted && b.Deleted);
    }
}
