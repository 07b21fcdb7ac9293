using Tap.Linux;

namespace Tap.Tests.Linux;

/// <summary>
/// A tap queue's read buffers while a frame is lent to the core and written from where it is (io-uring.md, "No
/// copies"): the buffer goes back to the kernel only once the loan is over and no write names it any more, in
/// whichever order those come; until then the kernel cannot fill it with the next frame. No kernel is needed: the
/// queue's accounting is plain memory.
/// </summary>
public sealed class UringTapQueueTests
{
    private const int Id = 5;

    [Fact(DisplayName = "io-uring.md: a lent buffer a write names stays out of the kernel's hands until the write is done")]
    public void LoanEndsBeforeTheWrite()
    {
        using var source = new UringTapQueue(fdNumber: 100, prefix: 1UL << 32, group: 0);
        using var target = new UringTapQueue(fdNumber: 101, prefix: 2UL << 32, group: 1);
        source.FrameArrived(Id, bytes: 1514);
        Assert.Equal(Id, source.TakeArrival(out int bytes));
        Assert.Equal(1514, bytes);
        source.Lend(Id);

        int slot = target.TakeWriteSlot(1514, source, Id, offset: 0);
        Assert.Equal(1, source.WritesFrom(Id));
        source.EndLoan();
        Assert.Equal(1, source.Held); // the write still names it
        Assert.Equal(1, source.Outstanding); // so a released source stays until the write is done

        Assert.Same(source, target.WriteCompleted(slot, 1514));
        Assert.Equal(0, source.Held);
        Assert.Equal(0, source.Outstanding);
        Assert.Equal(0, target.Outstanding);
    }

    [Fact(DisplayName = "io-uring.md: a lent buffer whose writes are done stays the core's until the loan ends")]
    public void WriteEndsBeforeTheLoan()
    {
        using var source = new UringTapQueue(fdNumber: 100, prefix: 1UL << 32, group: 0);
        using var target = new UringTapQueue(fdNumber: 101, prefix: 2UL << 32, group: 1);
        using var third = new UringTapQueue(fdNumber: 102, prefix: 3UL << 32, group: 2);
        source.FrameArrived(Id, bytes: 60);
        source.TakeArrival(out _);
        source.Lend(Id);

        // A hub of three: the frame goes to two taps from the same buffer.
        int first = target.TakeWriteSlot(70, source, Id, offset: 0);
        int second = third.TakeWriteSlot(60, source, Id, offset: 10);
        Assert.Equal(2, source.WritesFrom(Id));
        target.WriteCompleted(first, 70);
        third.WriteCompleted(second, 60);
        Assert.Equal(1, source.Held); // still lent
        source.EndLoan();
        Assert.Equal(0, source.Held);
        Assert.Equal(0, source.Outstanding);
    }

    [Fact(DisplayName = "io-uring.md: a write from a lent buffer is made again from that buffer, a copied one from its slot")]
    public void WhereAWriteIsMadeFrom()
    {
        using var source = new UringTapQueue(fdNumber: 100, prefix: 1UL << 32, group: 0);
        using var target = new UringTapQueue(fdNumber: 101, prefix: 2UL << 32, group: 1);
        source.FrameArrived(Id, bytes: 100);
        source.TakeArrival(out _);
        source.Lend(Id);

        int inPlace = target.TakeWriteSlot(100, source, Id, offset: 0);
        var memory = target.WriteMemory(inPlace, out int offset, out int length);
        Assert.Same(source.Reads.Buffers, memory);
        Assert.Equal(Id * UringTapQueue.SlotBytes, offset);
        Assert.Equal(100, length);

        int copied = target.TakeWriteSlot(42);
        memory = target.WriteMemory(copied, out offset, out length);
        Assert.Same(target.Writes, memory);
        Assert.Equal(copied * UringTapQueue.SlotBytes, offset);
        Assert.Equal(42, length);
        Assert.Null(target.WriteCompleted(copied, 42));
        Assert.Same(source, target.WriteCompleted(inPlace, 100));
        source.EndLoan();
    }
}
