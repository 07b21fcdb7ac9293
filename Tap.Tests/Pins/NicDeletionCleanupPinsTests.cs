using Tap.Core.Net;
using Tap.Tests.Core;

namespace Tap.Tests.Pins;

/// <summary>Q18 [seed], qemu_del_nic: each queue of a deleted NIC gets its cleanup, once.</summary>
public sealed class NicDeletionCleanupPinsTests
{
    private sealed class CountingNic(NetStack stack, NetClient? peer, string name) : NetClient(stack, peer, "nic", name)
    {
        public int Cleanups { get; private set; }

        public override bool IsNic => true;

        public override int Receive(ReadOnlySpan<byte> packet) => packet.Length;

        protected internal override void Cleanup() => Cleanups++;
    }

    [Fact(DisplayName = "Q18 [seed]: deleting a two-queue NIC cleans up each queue once and its backends once")]
    public void EachQueueCleanedOnce()
    {
        var stack = new NetStack();
        var b0 = new ScriptedClient(stack, null, "be");
        var b1 = new ScriptedClient(stack, null, "be");
        var q0 = new CountingNic(stack, b0, "nic");
        var q1 = new CountingNic(stack, b1, "nic");

        stack.Delete(q1);

        Assert.Equal((1, 1), (q0.Cleanups, q1.Cleanups));
        Assert.True(q0.Deleted && q1.Deleted);
        Assert.Equal(new[] { "be", "be" }, stack.Clients.Select(c => c.Name));
        Assert.False(b0.CleanedUp || b1.CleanedUp);
    }
}
