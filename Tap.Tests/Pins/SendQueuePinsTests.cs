using Tap.Core.Net;
using Tap.Sim;
using Tap.Tests.Core;

namespace Tap.Tests.Pins;

/// <summary>
/// Q7-Q12 through the queue's ring: order survives growth past 16 entries with the head mid-ring; sends and flushes
/// that arrive while the queue is delivering; what a flush reports; pooled copies going back to the pool.
/// </summary>
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

    /// <summary>
    /// A receiver that, while taking the frame tagged <see cref="ReentryOn"/>, makes its peer send it the frame
    /// tagged <see cref="ReentryTag"/> and flushes its own queue (both re-entrant), then takes or refuses the frame.
    /// </summary>
    private sealed class Reentrant : NetClient
    {
        public Reentrant(NetStack stack, NetClient peer)
            : base(stack, peer, "reentrant", "r")
        {
        }

        public byte ReentryOn { get; set; }

        public byte ReentryTag { get; set; }

        public bool Refusing { get; set; }

        public List<byte> Taken { get; } = new();

        public List<int> InnerSends { get; } = new();

        public List<bool> InnerFlushes { get; } = new();

        public List<bool> DeliveringSeen { get; } = new();

        public override int Receive(ReadOnlySpan<byte> packet)
        {
            DeliveringSeen.Add(IncomingQueue.Delivering);
            if (ReentryOn != 0 && packet[0] == ReentryOn)
            {
                ReentryOn = 0;
                InnerSends.Add(Peer!.Send(ScriptedClient.Frame(ReentryTag)));
                InnerFlushes.Add(IncomingQueue.Flush());
            }
            if (Refusing)
            {
                return 0;
            }
            Taken.Add(packet[0]);
            return packet.Length;
        }
    }

    [Fact(DisplayName = "Q7.1/Q9: a send into a queue that is delivering is queued (0) and taken after the frame in hand; a flush from inside does nothing and says false")]
    public void SendWhileDelivering()
    {
        var stack = new NetStack();
        var a = new ScriptedClient(stack, null, "a");
        var r = new Reentrant(stack, a) { ReentryOn = 1, ReentryTag = 2 };
        Assert.Equal(64, a.Send(ScriptedClient.Frame(1)));
        Assert.Equal(new[] { 0 }, r.InnerSends);
        Assert.Equal(new[] { false }, r.InnerFlushes);
        Assert.Equal(new byte[] { 1, 2 }, r.Taken);
        Assert.Equal(new[] { true, true }, r.DeliveringSeen);
        Assert.False(r.IncomingQueue.Delivering);
        Assert.Equal(0, r.IncomingQueue.Count);
    }

    [Fact(DisplayName = "Q7.1/Q9: a frame refused after a re-entrant send filled the 16-slot ring goes back to the head; all 17 then arrive in order")]
    public void RefusedWhileRingFills()
    {
        var stack = new NetStack();
        var a = new ScriptedClient(stack, null, "a");
        var r = new Reentrant(stack, a) { Refusing = true };
        for (byte tag = 1; tag <= 16; tag++)
        {
            Assert.Equal(0, a.SendAsync(ScriptedClient.Frame(tag), a));
        }
        r.ReentryOn = 1;
        r.ReentryTag = 17;
        r.FlushQueuedPackets();
        Assert.Equal(new[] { 0 }, r.InnerSends);
        Assert.Equal(17, r.IncomingQueue.Count);
        r.Refusing = false;
        r.FlushQueuedPackets();
        Assert.Equal(Enumerable.Range(1, 17).Select(t => (byte)t), r.Taken);
        Assert.Equal(16, a.Completed.Count);
        Assert.Equal(0, r.IncomingQueue.Count);
    }

    [Fact(DisplayName = "Q9: Flush says true when it emptied the queue, false when the receiver refused and frames wait")]
    public void FlushResult()
    {
        var stack = new NetStack();
        var a = new ScriptedClient(stack, null, "a");
        var b = new ScriptedClient(stack, a, "b");
        stack.StopVm();
        Assert.Equal(0, a.SendAsync(ScriptedClient.Frame(1), a));   // the VM is stopped: queued (Q5)
        Assert.Equal(0, a.SendAsync(ScriptedClient.Frame(2), a));
        Assert.True(b.IncomingQueue.Flush());
        Assert.Equal(new byte[] { 1, 2 }, b.Got.Select(f => f[0]));
        b.NextResult = 0;
        Assert.Equal(0, a.SendAsync(ScriptedClient.Frame(3), a));
        Assert.False(b.IncomingQueue.Flush());
        Assert.Equal(1, b.IncomingQueue.Count);
        Assert.True(b.ReceiveDisabled);
    }

    [Fact(DisplayName = "Q11: a purge in a queue that still holds a deleted peer's frames removes only the purging sender's (0 each); the rest arrive in order")]
    public void PurgeKeepsOtherSenders()
    {
        var stack = new NetStack();
        var old = new ScriptedClient(stack, null, "old");
        var b = new ScriptedClient(stack, old, "b") { NextResult = 0 };
        for (byte tag = 1; tag <= 3; tag++)
        {
            Assert.Equal(0, old.SendAsync(ScriptedClient.Frame(tag), old));
        }
        stack.Delete(old);   // not a tap, so its cleanup purges nothing: its frames stay queued at b
        var c = new ScriptedClient(stack, b, "c");
        for (byte tag = 4; tag <= 16; tag++)
        {
            Assert.Equal(0, c.SendAsync(ScriptedClient.Frame(tag), c));
        }
        Assert.Equal(16, b.IncomingQueue.Count);
        c.PurgeQueuedPackets();
        Assert.Equal(3, b.IncomingQueue.Count);
        Assert.Equal(13, c.Counters.Drops(DropReason.Purged));
        Assert.Equal(Enumerable.Repeat(0, 13), c.Completed.Select(x => x.Length));
        b.NextResult = null;
        b.FlushQueuedPackets();
        Assert.Equal(new byte[] { 1, 2, 3 }, b.Got.Select(f => f[0]));
        Assert.Equal(0, b.IncomingQueue.Count);
    }

    // Queued copies come from the shared array pool and go back to it however they leave the queue (delivered,
    // purged, destroyed with their receiver), so steady traffic through a queue allocates nothing (docs/queue.md;
    // style: no allocation per packet). Each case moves 200 frames of 16 KiB through a queue, four at a time: a copy
    // that is not returned makes the pool allocate a new one, 3.2 MB in all; returned copies are rented again.
    private const int Rounds = 50;
    private const int FramesPerRound = 4;
    private const long BoundBytes = 1 << 20;
    private static readonly byte[] PooledFrame = new byte[16384];

    private static long AllocatedBy(Action round)
    {
        round();   // warm up: the first copies and the queue's own storage
        round();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Rounds; i++)
        {
            round();
        }
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact(DisplayName = "Q9: copies delivered by a flush go back to the pool (200 queued 16 KiB frames allocate under 1 MB)")]
    public void DeliveredCopiesReturn()
    {
        var stack = new NetStack();
        var a = new ScriptedClient(stack, null, "a");
        var guest = new SimGuestPeer(stack, a, "nic", virtio: true) { KeepCopies = false };
        long bytes = AllocatedBy(() =>
        {
            guest.Refuse();
            for (int i = 0; i < FramesPerRound; i++)
            {
                a.Send(PooledFrame);
            }
            guest.Open();
        });
        Assert.Equal((Rounds + 2) * FramesPerRound, guest.AcceptedPackets);
        Assert.True(bytes < BoundBytes, $"{bytes} bytes allocated for {Rounds * FramesPerRound} queued frames");
    }

    [Fact(DisplayName = "Q11: copies removed by a purge go back to the pool (200 queued 16 KiB frames allocate under 1 MB)")]
    public void PurgedCopiesReturn()
    {
        var stack = new NetStack();
        var a = new ScriptedClient(stack, null, "a");
        var guest = new SimGuestPeer(stack, a, "nic", virtio: true) { KeepCopies = false };
        guest.Refuse();
        long bytes = AllocatedBy(() =>
        {
            for (int i = 0; i < FramesPerRound; i++)
            {
                a.Send(PooledFrame);
            }
            a.PurgeQueuedPackets();
        });
        Assert.Equal((Rounds + 2) * FramesPerRound, a.Counters.Drops(DropReason.Purged));
        Assert.True(bytes < BoundBytes, $"{bytes} bytes allocated for {Rounds * FramesPerRound} queued frames");
    }

    [Fact(DisplayName = "Q18: copies queued to a deleted receiver go back to the pool (200 queued 16 KiB frames allocate under 1 MB)")]
    public void DestroyedCopiesReturn()
    {
        var stack = new NetStack();
        var a = new ScriptedClient(stack, null, "a");
        long bytes = AllocatedBy(() =>
        {
            var b = new ScriptedClient(stack, a, "b") { NextResult = 0 };
            for (int i = 0; i < FramesPerRound; i++)
            {
                a.Send(PooledFrame);
            }
            stack.Delete(b);
        });
        Assert.Equal((Rounds + 2) * FramesPerRound, a.Counters.Drops(DropReason.Purged));
        Assert.True(bytes < BoundBytes, $"{bytes} bytes allocated for {Rounds * FramesPerRound} queued frames");
    }

    [Fact(DisplayName = "Q11: a purge keeps nothing of the frames it removed: their completions can be collected")]
    public void PurgeReleasesCompletions()
    {
        var stack = new NetStack();
        var a = new ScriptedClient(stack, null, "a");
        var guest = new SimGuestPeer(stack, a, "nic", virtio: true);
        guest.Refuse();
        var waiter = QueueWithOwnCompletion(a);
        Assert.Equal(1, guest.IncomingQueue.Count);
        a.PurgeQueuedPackets();
        Assert.Equal(0, guest.IncomingQueue.Count);
        Assert.Equal(1, a.Counters.Drops(DropReason.Purged));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        // Nothing else references the waiter: a queue that kept it would keep what it belongs to (a netdev being
        // deleted, with its buffers) alive as long as the receiver lives.
        Assert.False(waiter.IsAlive, "the queue still holds the purged frame's completion");
        guest.Open();
        Assert.Equal(64, a.SendAsync(ScriptedClient.Frame(3), a));
        Assert.Equal(new byte[] { 3 }, guest.Received.Select(f => f[0]));
    }

    /// <summary>Queues one frame from <paramref name="sender"/> whose completion only the queue holds; not inlined,
    /// so no local of the test keeps the completion alive.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference QueueWithOwnCompletion(ScriptedClient sender)
    {
        var waiter = new Waiter();
        Assert.Equal(0, sender.SendAsync(ScriptedClient.Frame(2), waiter));
        return new WeakReference(waiter);
    }

    private sealed class Waiter : INetCompletion
    {
        public void OnSendCompleted(NetClient sender, int length)
        {
        }
    }
}
