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

    /// <summary>Queue <paramref name="n"/> (fd 100 + n, its own buffer group).</summary>
    private static UringTapQueue Queue(int n) => new(fdNumber: 100 + n, prefix: (ulong)(n + 1) << 32, group: (ushort)n);

    /// <summary>Queue 0 with a frame of <paramref name="bytes"/> in buffer <see cref="Id"/>, lent to the core.</summary>
    private static UringTapQueue LentFrame(int bytes)
    {
        var source = Queue(0);
        source.FrameArrived(Id, bytes);
        Assert.Equal(Id, source.TakeArrival(out int taken));
        Assert.Equal(bytes, taken);
        source.Lend(Id);
        return source;
    }

    /// <summary>Every buffer of <paramref name="queue"/> is the kernel's again and nothing names them.</summary>
    private static void AssertAllBack(UringTapQueue queue)
    {
        Assert.Equal(0, queue.Held);
        Assert.Equal(0, queue.Outstanding);
    }

    [Fact(DisplayName = "io-uring.md: a lent buffer a write names stays out of the kernel's hands until the write is done")]
    public void LoanEndsBeforeTheWrite()
    {
        using var source = LentFrame(1514);
        using var target = Queue(1);

        int slot = target.TakeWriteSlot(1514, source, Id, offset: 0);
        Assert.Equal(1, source.WritesFrom(Id));
        source.EndLoan();
        Assert.Equal(1, source.Held); // the write still names it
        Assert.Equal(1, source.Outstanding); // so a released source stays until the write is done

        Assert.Same(source, target.WriteCompleted(slot, 1514));
        AssertAllBack(source);
        Assert.Equal(0, target.Outstanding);
    }

    [Fact(DisplayName = "io-uring.md: a lent buffer whose writes are done stays the core's until the loan ends")]
    public void WriteEndsBeforeTheLoan()
    {
        using var source = LentFrame(60);
        using var target = Queue(1);
        using var third = Queue(2);

        // A hub of three: the frame goes to two taps from the same buffer.
        int first = target.TakeWriteSlot(70, source, Id, offset: 0);
        int second = third.TakeWriteSlot(60, source, Id, offset: 10);
        Assert.Equal(2, source.WritesFrom(Id));
        target.WriteCompleted(first, 70);
        third.WriteCompleted(second, 60);
        Assert.Equal(1, source.Held); // still lent
        source.EndLoan();
        AssertAllBack(source);
    }

    [Fact(DisplayName = "io-uring.md: a write from a lent buffer is made again from that buffer, a copied one from its copy buffer")]
    public void WhereAWriteIsMadeFrom()
    {
        using var source = LentFrame(100);
        using var target = Queue(1);

        int inPlace = target.TakeWriteSlot(100, source, Id, offset: 0);
        var memory = target.WriteMemory(inPlace, out int offset, out int length);
        Assert.Same(source.Reads.Buffers, memory);
        Assert.Equal(Id * UringTapQueue.SlotBytes, offset);
        Assert.Equal(100, length);

        int copied = target.TakeWriteSlot(42);
        Assert.NotEqual(inPlace, copied);
        memory = target.WriteMemory(copied, out offset, out length);
        Assert.Same(target.Writes, memory);
        Assert.Equal(0, offset); // the first copy buffer: the write in place took a slot, not a copy buffer
        Assert.Equal(42, length);
        Assert.Null(target.WriteCompleted(copied, 42));
        Assert.Same(source, target.WriteCompleted(inPlace, 100));
        source.EndLoan();
    }

    [Fact(DisplayName = "io-uring.md: copies reuse the first copy buffers however many writes are in flight in place")]
    public void CopiesStayInTheFirstBuffers()
    {
        using var source = LentFrame(1514);
        using var target = Queue(1);
        const int slotBytes = 4096 + 65536; // QEMU's NET_BUFSIZE, a copy buffer's size

        var inPlace = new List<int>();
        for (int i = 0; i < 100; i++)
        {
            inPlace.Add(target.TakeWriteSlot(1514, source, Id, offset: 0));
        }
        // Two copies in flight at once, then again and again: only the first two copy buffers are ever touched, so
        // the memory the kernel maps for them stays two buffers' worth (RSS) while slot numbers run to 102.
        var offsets = new HashSet<int>();
        for (int round = 0; round < 10; round++)
        {
            int a = target.TakeWriteSlot(60);
            int b = target.TakeWriteSlot(60);
            target.WriteMemory(a, out int atA, out _);
            target.WriteMemory(b, out int atB, out _);
            offsets.Add(atA);
            offsets.Add(atB);
            Assert.Null(target.WriteCompleted(b, 60));
            Assert.Null(target.WriteCompleted(a, 60));
        }
        Assert.Equal(new HashSet<int> { 0, slotBytes }, offsets);
        foreach (int slot in inPlace)
        {
            target.WriteCompleted(slot, 1514);
        }
        source.EndLoan();
        AssertAllBack(source);
        Assert.Equal(0, target.Outstanding);
        Assert.True(target.CanWrite);
    }
}
