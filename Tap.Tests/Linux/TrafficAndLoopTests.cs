using System.Runtime.InteropServices;
using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Linux;
using Tap.Linux.Interop;
using Tmds.Linux;
using Xunit.Abstractions;

namespace Tap.Tests.Linux;

[Collection(LinuxCollection.Name)]
public sealed class TrafficAndLoopTests(ITestOutputHelper output)
{
    /// <summary>Frames read at most per test before giving up (bounded traffic).</summary>
    private const int MaxFramesRead = 50;
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Reads every frame while readable; remembers whether the ARP reply came.</summary>
    private sealed class ArpCatcher(LinuxOsNet os, Fd fd) : IFdHandler
    {
        private readonly byte[] _buffer = new byte[NetLimits.NetBufSizeBytes];
        public bool GotReply { get; private set; }
        public int Frames { get; private set; }
        public int Writable { get; private set; }
        public Errno LastError { get; private set; }

        public void OnReadable()
        {
            var n = os.Read(fd, _buffer);
            LastError = n.Error;
            if (!n.Ok)
            {
                // EBADFD after deletion: stop watching, or level-triggered POLLERR would spin (D-17).
                os.Watch(fd, this, false, false);
                return;
            }
            Frames++;
            GotReply |= Linux.Frames.IsArpReply(_buffer.AsSpan(VirtioNetHeader.Size, n.Value - VirtioNetHeader.Size), Linux.Frames.TapIp, Linux.Frames.PeerMac);
        }

        public void OnWritable() => Writable++;
    }

    [SkippableFact(DisplayName = "linux-tun §9: a frame written on the tap reaches the namespace's stack, and its ARP reply comes back through epoll and read")]
    public void FramesBothWays()
    {
        RealKernel.Tun(output).InNamespace((ns, rig) =>
        {
            var (fd, name) = rig.OpenTap();
            Assert.True(rig.Os.SetNonBlocking(fd).Ok);
            ns.Ip("addr", "add", Frames.TapCidr, "dev", name);
            ns.Ip("link", "set", name, "up");

            var catcher = new ArpCatcher(rig.Os, fd);
            rig.Os.Watch(fd, catcher, readable: true, writable: true);
            rig.Loop.RunOnce(1000);
            Assert.True(catcher.Writable > 0, "an up tap is writable");
            rig.Os.Watch(fd, catcher, readable: true, writable: false);

            var request = Frames.ArpRequest(Frames.PeerMac, Frames.PeerIp, Frames.TapIp);
            var head = new byte[VirtioNetHeader.Size];
            Assert.Equal(head.Length + request.Length, rig.Os.Write(fd, head, request).Value);

            long deadline = Environment.TickCount64 + (long)ReplyTimeout.TotalMilliseconds;
            while (!catcher.GotReply && catcher.Frames < MaxFramesRead && Environment.TickCount64 < deadline)
            {
                rig.Loop.RunOnce(100);
            }
            Assert.True(catcher.GotReply, $"no ARP reply among {catcher.Frames} frames");
            // The stack learnt our peer from the request: the frame went in.
            Assert.Contains("169.254.77.2", ns.Ip("neigh", "show", "dev", name));

            // D-17: after the device is deleted the fd is in error forever; epoll hands that to OnReadable,
            // whose read sees EBADFD.
            ns.Ip("link", "del", name);
            rig.Loop.RunOnce(1000);
            Assert.Equal(Errno.EBADFD, catcher.LastError);
            Assert.Equal(0, rig.Loop.WatchedCount);
        });
    }

    private sealed class Counter : IFdHandler
    {
        public int Readable;
        public int Writable;
        public void OnReadable() => Readable++;
        public void OnWritable() => Writable++;
    }

    [SkippableFact(DisplayName = "R3: level-triggered: a ready fd is served on every iteration until the interest goes; an unpollable file is always ready")]
    public void LevelTriggered()
    {
        RealKernel.Spawn(output).OnHost(rig =>
        {
            // An eventfd with a count stays readable and writable.
            Assert.Equal(Errno.None, Libc.EventFd(1, LibC.EFD_CLOEXEC, out var efd));
            var fd = rig.Os.Adopt(efd);
            var counter = new Counter();
            rig.Os.Watch(fd, counter, true, false);
            Assert.Equal(1, rig.Loop.RunOnce(1000));
            Assert.Equal(1, rig.Loop.RunOnce(1000));
            Assert.Equal((2, 0), (counter.Readable, counter.Writable));
            rig.Os.Watch(fd, counter, true, true);
            Assert.Equal(2, rig.Loop.RunOnce(1000));
            rig.Os.Watch(fd, counter, false, false);
            Assert.Equal(0, rig.Loop.RunOnce(10));

            // /dev/null cannot be added to epoll (EPERM); poll(2) calls it always ready, and so do we.
            Assert.Equal(Errno.None, Libc.Open("/dev/null", LibC.O_RDWR | LibC.O_CLOEXEC, out var nul));
            var nullFd = rig.Os.Adopt(nul);
            var nullCounter = new Counter();
            rig.Os.Watch(nullFd, nullCounter, true, false);
            Assert.Equal(1, rig.Loop.RunOnce(-1));
            Assert.True(rig.Os.Close(nullFd).Ok);
            Assert.True(rig.Os.Close(fd).Ok);
            Assert.Equal(0, rig.Loop.WatchedCount);
        });
    }

    [SkippableFact(DisplayName = "Run returns on RequestStop from another thread and on SIGTERM (handled, not fatal)")]
    public void StopAndSignals()
    {
        RealKernel.Spawn(output).OnHost(rig =>
        {
            using var backstop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var stopper = new Thread(() =>
            {
                Thread.Sleep(50);
                rig.Loop.RequestStop();
            });
            stopper.Start();
            rig.Loop.Run(backstop.Token);
            stopper.Join();
            Assert.False(backstop.IsCancellationRequested);
            Assert.Null(rig.Loop.StopSignal);

            rig.Loop.StopOnTerminationSignals();
            var killer = new Thread(() =>
            {
                Thread.Sleep(50);
                Libc.Kill(Environment.ProcessId, LibC.SIGTERM);
            });
            killer.Start();
            rig.Loop.Run(backstop.Token);
            killer.Join();
            Assert.False(backstop.IsCancellationRequested);
            Assert.Equal(PosixSignal.SIGTERM, rig.Loop.StopSignal);
        });
    }

    [SkippableFact(DisplayName = "Dispose closes every fd the OS layer still owns and the loop forgets their watches; Report goes to the sink")]
    public void DisposeClosesEverything()
    {
        RealKernel.Tun(output).NoLeak(() =>
        {
            using var loop = new EpollLoop();
            var reports = new List<string>();
            var os = new LinuxOsNet(loop, new LinuxOsNetOptions { ReportSink = d => reports.Add(d.Format("qemu")) });
            var tun = os.OpenTunControl().Value;
            Assert.Equal(Errno.None, Libc.EventFd(1, LibC.EFD_CLOEXEC, out var efd));
            var watched = os.Adopt(efd);
            os.Watch(watched, new Counter(), true, false);
            Assert.Equal(1, loop.WatchedCount);
            os.Report(new Diagnostic(DiagnosticKind.Warning, "left open"));
            Assert.Equal(["qemu: warning: left open"], reports);
            os.Dispose();
            Assert.Equal(0, loop.WatchedCount);
            Assert.Equal(0, os.OwnedFdCount);
            Assert.NotEqual("/dev/net/tun", FdCensus.TargetOf(tun.Number));
        });
    }
}
