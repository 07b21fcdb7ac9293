using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Sim;

namespace Tap.Tests.Sim;

/// <summary>
/// The simulated kernel lends every frame <c>IOsNet.ReadFrame</c> reads, as the io_uring path does, and ends each
/// loan as that path may: by the next read on the fd or the return of the handler that read it. The lent bytes then
/// become <see cref="SimKernel.PoisonByte"/>, so a core that used a frame past its loan would forward poison, which
/// every data-path property would see.
/// </summary>
public sealed class SimLendingTests
{
    private static SimKernel UpTap(string name, out Fd fd)
    {
        var k = new SimKernel(5);
        fd = k.OpenTunControl().Value;
        Assert.True(k.TunSetIff(fd, name, TunFlags.Tap | TunFlags.NoPi).Ok);
        k.SetLinkUp(name, true);
        return k;
    }

    private static byte[] Frame(byte fill) => Enumerable.Repeat(fill, 60).ToArray();

    [Fact(DisplayName = "Sim: a frame ReadFrame lent is the frame, outside the caller's buffer, and poison after the next read")]
    public void NextReadEndsTheLoan()
    {
        var k = UpTap("t0", out var fd);
        k.HostSend("t0", Frame(0x11));
        k.HostSend("t0", Frame(0x22));
        var buffer = new byte[2048];

        Assert.Equal(60, k.ReadFrame(fd, buffer, out var first).Value);
        var lent = first.ToArray();
        Assert.All(lent, b => Assert.Equal(0x11, b));
        Assert.All(buffer, b => Assert.Equal(0, b)); // lent, not copied into the caller's buffer

        Assert.Equal(60, k.ReadFrame(fd, buffer, out var second).Value);
        Assert.All(second.ToArray(), b => Assert.Equal(0x22, b));
        Assert.Equal(2, k.FramesLent);
        // The first loan is over; its bytes (the same memory the second read lends) were poisoned before the
        // second frame went in, and a third read with nothing to read leaves poison behind.
        Assert.Equal(Errno.EAGAIN, k.ReadFrame(fd, buffer, out var none).Error);
        Assert.True(none.IsEmpty);
        Assert.All(second.ToArray(), b => Assert.Equal(SimKernel.PoisonByte, b));
    }

    [Fact(DisplayName = "Sim: a frame lent to a handler is poison once the handler has returned")]
    public void HandlerReturnEndsTheLoan()
    {
        var k = UpTap("t0", out var fd);
        k.HostSend("t0", Frame(0x33));
        var handler = new LendingHandler(k, fd);
        k.Watch(fd, handler, readable: true, writable: false);
        Assert.Equal(1, k.Dispatch(fd));
        Assert.Equal(0x33, handler.SeenInHandler);
        Assert.All(k.LendBuffer(fd, 60).ToArray(), b => Assert.Equal(SimKernel.PoisonByte, b));
    }

    /// <summary>Reads one frame with ReadFrame and notes what it saw.</summary>
    private sealed class LendingHandler(SimKernel kernel, Fd fd) : IFdHandler
    {
        public byte SeenInHandler { get; private set; }

        public void OnReadable()
        {
            var r = kernel.ReadFrame(fd, new byte[2048], out var frame);
            Assert.Equal(60, r.Value);
            SeenInHandler = frame[0];
            Assert.True(frame.SequenceEqual(kernel.LendBuffer(fd, 60)), "the frame is the lend buffer's");
        }

        public void OnWritable()
        {
        }
    }
}
