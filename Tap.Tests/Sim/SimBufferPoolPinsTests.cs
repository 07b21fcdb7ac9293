using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Sim;

namespace Tap.Tests.Sim;

/// <summary>
/// The kernel rings' buffer pool, seen the only ways a program can see it: a warmed-up simulation allocates nothing
/// per frame (the pool's promise, which benchmarks and long campaigns rely on), and a frame of any size the host
/// hands over comes back whole, also past the pool's largest class. Kills SimBufferPool.cs mutants and the dropped
/// recycles of SimKernel.Data.cs and SimKernel.Vhost.cs (docs/mutation/sim-kernel-triage.md).
/// </summary>
public sealed class SimBufferPoolPinsTests
{
    private static SimKernel UpTap(out Fd fd)
    {
        var k = new SimKernel(7) { RecordDataPath = false, KeepTransmitted = false };
        fd = k.OpenTunControl().Value;
        Assert.True(k.TunSetIff(fd, "t0", TunFlags.Tap | TunFlags.NoPi | TunFlags.VnetHdr).Ok);
        return k;
    }

    private static byte[] Pattern(int length) => [.. Enumerable.Range(0, length).Select(i => (byte)(i * 7 + 3))];

    [Fact(DisplayName = "Pool: once warmed up, frames of 60, 1500, 9000 and 65550 bytes through the ring allocate nothing")]
    public void WarmRingAllocatesNothing()
    {
        var k = UpTap(out var fd);
        var frames = new[] { 60, 1500, 9000, 65550 }.Select(n => new byte[n]).ToArray();
        var buffer = new byte[70000];
        int queued = 0;
        long read = 0;
        void Cycle()
        {
            // No assertion inside: xunit's Assert.Equal allocates a comparer per call.
            foreach (var f in frames)
            {
                queued += k.HostSend("t0", f) ? 1 : 0;
            }
            foreach (var f in frames)
            {
                read += k.Read(fd, buffer).Value;
            }
        }
        Cycle();
        Cycle();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            Cycle();
        }
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal((48, 12 * (60 + 1500 + 9000 + 65550 + 40L)), (queued, read));
        Assert.True(bytes == 0, $"{bytes} bytes allocated for 40 warmed-up frames");
    }

    [Fact(DisplayName = "Pool: a frame the vhost worker took gives its buffer back; the next host frame allocates nothing")]
    public void VhostReceiveRecycles()
    {
        var k = new SimKernel(7) { VhostPresent = true, RecordDataPath = false };
        var tap = k.AddTapFd("t0", vnetHdr: true);
        var v = k.OpenVhostNet().Value;
        Assert.True(k.VhostNetInit(v, tap, true, 0).Ok);
        Assert.True(k.VhostNetStart(v, tap).Ok);
        k.VhostOf(v)!.GuestPostRxBuffers(2, 2048);
        var frame = new byte[60];
        Assert.True(k.HostSend("t0", frame));
        Assert.Equal(1, k.RunOnce());
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(k.HostSend("t0", frame));
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(bytes == 0, $"{bytes} bytes allocated for a host frame after the worker's receive");
        Assert.Equal(1, k.RunOnce());
        Assert.Equal(2, k.VhostOf(v)!.GuestReceived.Count);
    }

    [Fact(DisplayName = "Pool: frames past the largest class (150000 bytes, and 262134 that fill 256 KiB with the header) come back whole, twice")]
    public void OversizeFramesComeBackWhole()
    {
        var k = UpTap(out var fd);
        foreach (int length in new[] { 150000, 262134 })
        {
            var frame = Pattern(length);
            for (int round = 0; round < 2; round++)
            {
                Assert.True(k.HostSend("t0", frame));
                var buffer = new byte[length + 10];
                Assert.Equal(length + 10, k.Read(fd, buffer).Value);
                Assert.True(buffer.AsSpan(10).SequenceEqual(frame), $"{length}-byte frame, round {round}");
            }
        }
    }
}
