using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Linux;
using Tap.Linux.Interop;
using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary>
/// The packet path through the kernel edge allocates nothing: a writev of header and body through
/// <c>LinuxOsNet.Write</c>, an epoll_wait that dispatches the reader, a read through <c>LinuxOsNet.Read</c>.
/// A stream socketpair stands in for the tap so no namespace is needed; the calls, handles and fd table are the
/// ones a tap frame goes through.
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class EdgeAllocationOnLinuxTests(ITestOutputHelper output)
{
    private const int Frames = 2000;
    private const int WarmUpFrames = 200;

    private sealed class Reader(LinuxOsNet os, Fd fd) : IFdHandler
    {
        private readonly byte[] _buffer = new byte[256];
        public long Bytes;
        public Errno LastError;

        public void OnReadable()
        {
            var r = os.Read(fd, _buffer);
            if (r.Ok)
            {
                Bytes += r.Value;
            }
            else
            {
                LastError = r.Error;
            }
        }

        public void OnWritable()
        {
        }
    }

    [SkippableFact(DisplayName = "Packet path at the kernel edge: writev, epoll_wait, read allocate 0 bytes per frame")]
    public void WriteWaitReadAllocateNothing()
    {
        RealKernel.Spawn(output).OnHost(rig =>
        {
            Assert.Equal(Errno.None, Libc.SocketPair(out var a, out var b));
            var writer = rig.Os.Adopt(a);
            var readerFd = rig.Os.Adopt(b);
            var reader = new Reader(rig.Os, readerFd);
            rig.Os.Watch(readerFd, reader, true, false);
            byte[] head = new byte[12];
            byte[] body = new byte[52];

            // No assertion inside the loop: a failure message would be built (and allocated) on every frame.
            int failures = 0;
            void Pump(int frames)
            {
                for (int i = 0; i < frames; i++)
                {
                    if (!rig.Os.Write(writer, head, body).Ok || rig.Loop.RunOnce(1000) != 1)
                    {
                        failures++;
                    }
                }
            }

            Pump(WarmUpFrames);
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            Pump(Frames);
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

            Assert.Equal(0, failures);
            Assert.Equal(Errno.None, reader.LastError);
            Assert.Equal((WarmUpFrames + Frames) * 64L, reader.Bytes);
            output.WriteLine($"{allocated} bytes allocated over {Frames} frames");
            Assert.Equal(0, allocated);
        });
    }
}
