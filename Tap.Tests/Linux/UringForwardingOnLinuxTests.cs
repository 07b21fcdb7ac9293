using System.Net;
using System.Net.Sockets;
using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Os;
using Tap.Core.Options;
using Tap.Linux;
using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary>
/// The io_uring data path (io-uring.md) (<see cref="UringLoop"/>) forwarding real frames. Two taps on a hub in the
/// core, each moved into a namespace of its own on 169.254.94.0/24; bounded UDP bursts both ways arrive whole, in
/// order, byte for byte, and went through the ring's reads and writes. (Every other Linux test runs on this path
/// too with <c>TAPNET_IO=uring</c>: see <see cref="LinuxHost.IoVariable"/>.)
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class UringForwardingOnLinuxTests(ITestOutputHelper output)
{
    private const int Port = 7794;
    private const int WarmUpPort = 7795;
    private const int WarmUpAttempts = 5;
    /// <summary>Datagrams per burst: more than one wakeup's worth of frames arrives while the loop works, so reads
    /// and writes of several frames share an io_uring_enter; few enough for the receiver's socket buffer.</summary>
    private const int Burst = 40;
    private const int Bursts = 5;
    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan SideTimeout = TimeSpan.FromSeconds(30);

    [SkippableFact(DisplayName = "io-uring.md: UDP bursts cross two taps through io_uring both ways, whole, in order, byte for byte")]
    public void BurstsBothWays()
    {
        RealKernel.Tun(output).NoLeak(() =>
        {
            using var home = TestNetns.Create();
            using var a = TestNetns.Create();
            using var b = TestNetns.Create();
            home.Run(() =>
            {
                using var rig = new LinuxHost(io: IoMode.Uring, sharedLoop: true); // run on a thread of its own
                var uring = Assert.IsType<UringLoop>(rig.Loop);
                var ta = Tap(rig, "ura0");
                var tb = Tap(rig, "urb0");
                var hub = rig.Stack.GetOrCreateHub(0);
                hub.AddPort("h0", ta);
                hub.AddPort("h1", tb);
                LinkLocal.MoveTap(home, "ura0", a, "169.254.94.1/24");
                LinkLocal.MoveTap(home, "urb0", b, "169.254.94.2/24");

                WhileLoopRuns(rig, () =>
                {
                    int ab = Exchange(a, b, "169.254.94.2", seed: 1);
                    int ba = Exchange(b, a, "169.254.94.1", seed: 2);
                    Assert.Equal(Burst * Bursts, ab);
                    Assert.Equal(Burst * Bursts, ba);
                });
                // Every datagram (and the ARP before them) was read from the ring and written through it.
                Assert.True(uring.RingFramesRead >= 2 * Burst * Bursts, $"ring reads: {uring.RingFramesRead}");
                Assert.True(uring.RingFramesWritten >= 2 * Burst * Bursts, $"ring writes: {uring.RingFramesWritten}");
                // And with no copy: each was lent to the core and written from the buffer it was read into, the
                // zero header going where the kernel's header was; but for frames under 60 bytes, which the core
                // pads in a buffer of its own (R20.3).
                Assert.True(uring.RingFramesLent >= 2 * Burst * Bursts, $"frames lent: {uring.RingFramesLent}");
                int unpadded = Unpadded(seed: 1) + Unpadded(seed: 2);
                Assert.True(uring.RingWritesInPlace >= unpadded,
                    $"in place: {uring.RingWritesInPlace}, datagrams in frames of 60 bytes or more: {unpadded}");
                Assert.True(ta.FramesRead >= Burst * Bursts && tb.FramesRead >= Burst * Bursts);
                rig.Stack.DeleteAll();
                Assert.Equal(0, rig.Loop.WatchedCount);
            });
        });
    }

    /// <summary>
    /// A hub of three taps, two with a vnet header and one without, so that one read buffer is written to two taps
    /// that want different things in front of the frame: the header-less tap the frame alone, the other a zero
    /// header where the kernel's header was. Frames from the header-less tap have no room in front and are copied.
    /// Every datagram, each way, arrives whole, in order, byte for byte.
    /// </summary>
    [SkippableFact(DisplayName = "io-uring.md: one lent buffer written to a tap with a header and one without; frames with no room in front copied; all byte for byte")]
    public void LentBufferToMixedTaps()
    {
        RealKernel.Tun(output).NoLeak(() =>
        {
            using var home = TestNetns.Create();
            using var a = TestNetns.Create();
            using var b = TestNetns.Create();
            using var c = TestNetns.Create();
            home.Run(() =>
            {
                using var rig = new LinuxHost(io: IoMode.Uring); // the loop's own thread runs it, as tapnet's
                var uring = Assert.IsType<UringLoop>(rig.Loop);
                var ta = Tap(rig, "urm0");
                var tb = Tap(rig, "urm1");
                var tc = Tap(rig, "urm2", vnetHdr: false);
                Assert.True(ta.HasVnetHdr && tb.HasVnetHdr && !tc.HasVnetHdr);
                var hub = rig.Stack.GetOrCreateHub(0);
                hub.AddPort("h0", ta);
                hub.AddPort("h1", tb);
                hub.AddPort("h2", tc);
                LinkLocal.MoveTap(home, "urm0", a, "169.254.94.1/24");
                LinkLocal.MoveTap(home, "urm1", b, "169.254.94.2/24");
                LinkLocal.MoveTap(home, "urm2", c, "169.254.94.3/24");

                long inPlaceFromHeaderTaps = 0;
                WhileLoopRuns(rig, () =>
                {
                    Assert.Equal(Burst * Bursts, Exchange(a, c, "169.254.94.3", seed: 3));
                    Assert.Equal(Burst * Bursts, Exchange(b, a, "169.254.94.1", seed: 4));
                    inPlaceFromHeaderTaps = uring.RingWritesInPlace;
                    long copiedBefore = uring.RingFramesWritten - uring.RingWritesInPlace;
                    Assert.Equal(Burst * Bursts, Exchange(c, b, "169.254.94.2", seed: 5));
                    long copied = uring.RingFramesWritten - uring.RingWritesInPlace - copiedBefore;
                    // Each of c's frames went to a and b, with a header in front that had no room: copies.
                    Assert.True(copied >= 2 * Burst * Bursts, $"copied from the header-less tap: {copied}");
                });
                // Each of the first two exchanges' frames went to two taps from the buffer it was read into (but for
                // the padded ones, as above).
                int unpadded = 2 * (Unpadded(seed: 3) + Unpadded(seed: 4));
                Assert.True(inPlaceFromHeaderTaps >= unpadded, $"in place: {inPlaceFromHeaderTaps} of {unpadded}");
                rig.Stack.DeleteAll();
                Assert.Equal(0, rig.Loop.WatchedCount);
            });
        });
    }

    /// <summary>Runs <paramref name="rig"/>'s loop while <paramref name="exchanges"/> runs, then stops it. A shared
    /// loop runs on a thread of its own; a one-thread loop runs here, on the thread that made it, and the exchanges on
    /// another, which stops the loop when done (RequestStop may come from any thread).</summary>
    private static void WhileLoopRuns(LinuxHost rig, Action exchanges)
    {
        if (rig.SharedLoop)
        {
            var loop = new Thread(() => rig.Loop.Run());
            loop.Start();
            try
            {
                exchanges();
            }
            finally
            {
                rig.Loop.RequestStop();
                Assert.True(loop.Join(SideTimeout), "the uring loop stops when asked");
            }
            return;
        }
        var side = SideThread.Start(() =>
        {
            try
            {
                exchanges();
            }
            finally
            {
                rig.Loop.RequestStop();
            }
        });
        using (var backstop = new CancellationTokenSource(4 * SideTimeout))
        {
            rig.Loop.Run(backstop.Token);
        }
        Assert.True(side.Join(SideTimeout), "the exchanges end once the loop has stopped");
        side.Failure?.Throw();
    }

    /// <summary>
    /// More frames than a tap's read buffers (64) arrive while nobody takes them: the multishot read fills every
    /// buffer and ends, the rest waits in the kernel's queue, and the read is posted again as the frames are taken,
    /// so all of them come, in the order they were sent, whole. 200 datagrams to a neighbour with a fixed MAC leave
    /// the host through the tap (the tun queue holds 500), each numbered in its payload.
    /// </summary>
    [SkippableFact(DisplayName = "io-uring.md: 200 frames queued while nobody reads all come, in order, past the 64 read buffers")]
    public void MoreFramesThanReadBuffers()
    {
        const int Count = 200;
        const int Bytes = 300;
        RealKernel.Tun(output).NoLeak(() =>
        {
            using var home = TestNetns.Create();
            home.Run(() =>
            {
                using var rig = new LinuxHost(io: IoMode.Uring);
                var uring = Assert.IsType<UringLoop>(rig.Loop);
                var (fd, name) = rig.OpenTap("urq%d");
                rig.Os.Watch(fd, new Idle(), readable: true, writable: false);
                home.Ip("addr", "add", "169.254.95.1/24", "dev", name);
                home.Ip("link", "set", name, "up");
                home.Ip("neigh", "add", "169.254.95.2", "lladdr", "02:00:5e:00:95:02", "dev", name, "nud", "permanent");
                using (var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
                {
                    var to = new IPEndPoint(IPAddress.Parse("169.254.95.2"), Port);
                    var payload = new byte[Bytes];
                    for (int i = 0; i < Count; i++)
                    {
                        payload[0] = (byte)(i >> 8);
                        payload[1] = (byte)i;
                        payload[Bytes - 1] = (byte)~i;
                        sender.SendTo(payload, to);
                    }
                }
                var frame = new byte[NetLimits.NetBufSizeBytes];
                var deadline = DateTime.UtcNow + SideTimeout;
                int next = 0;
                long before = uring.RingFramesRead;
                while (next < Count)
                {
                    var r = rig.Os.Read(fd, frame);
                    if (r.Error == Errno.EAGAIN)
                    {
                        Assert.True(DateTime.UtcNow < deadline, $"only {next} of {Count} datagrams came");
                        Thread.Sleep(1);
                        continue;
                    }
                    Assert.Equal(Errno.None, r.Error);
                    // vnet header (10), Ethernet (14), IPv4 (20), UDP (8): the payload starts at 52.
                    var f = frame.AsSpan(0, r.Value);
                    if (f.Length != 10 + 14 + 20 + 8 + Bytes || f[10 + 12] != 0x08 || f[10 + 23] != 17)
                    {
                        continue; // not one of ours (an IPv6 or ARP frame of the link coming up)
                    }
                    int seq = f[52] << 8 | f[53];
                    Assert.True(seq == next, $"datagram {seq} came where {next} was due");
                    Assert.Equal((byte)~next, f[^1]);
                    next++;
                }
                Assert.True(uring.RingFramesRead - before >= Count, $"ring reads: {uring.RingFramesRead - before}");
                rig.Os.Close(fd);
            });
        });
    }

    /// <summary>
    /// A one-thread loop (tapnet's) refuses a call from another thread with an error that says why, before anything
    /// is changed (the kernel would answer the ring's system call with a bare EEXIST); its owner may go on, and a
    /// stop may be asked from anywhere.
    /// </summary>
    [SkippableFact(DisplayName = "io-uring.md: a one-thread loop refuses other threads' calls, changing nothing; any thread may stop it")]
    public void OneThreadLoopRefusesOtherThreads()
    {
        RealKernel.Tun(output).NoLeak(() =>
        {
            using var home = TestNetns.Create();
            home.Run(() =>
            {
                using var rig = new LinuxHost(io: IoMode.Uring);
                var (fd, _) = rig.OpenTap("uro%d");
                var watch = OnAnotherThread(() => rig.Os.Watch(fd, new Idle(), readable: true, writable: false));
                Assert.IsType<InvalidOperationException>(watch);
                Assert.Contains("made for one thread", watch!.Message, StringComparison.Ordinal);
                Assert.Equal(0, rig.Loop.WatchedCount);
                Assert.IsType<InvalidOperationException>(OnAnotherThread(() => rig.Loop.RunOnce(0)));

                rig.Os.Watch(fd, new Idle(), readable: true, writable: false);
                Assert.Equal(1, rig.Loop.WatchedCount);
                Assert.Null(OnAnotherThread(() => rig.Loop.RequestStop()));
                using (var backstop = new CancellationTokenSource(SideTimeout))
                {
                    rig.Loop.Run(backstop.Token); // returns at once: the stop was asked before
                    Assert.False(backstop.IsCancellationRequested, "the loop stopped for the other thread's request");
                }
                rig.Os.Close(fd);
                Assert.Equal(0, rig.Loop.WatchedCount);
            });
        });
    }

    /// <summary>What <paramref name="call"/> threw on a thread of its own, or null.</summary>
    private static Exception? OnAnotherThread(Action call)
    {
        var side = SideThread.Start(call);
        Assert.True(side.Join(SideTimeout), "the call on another thread returned");
        return side.Failure?.SourceException;
    }

    /// <summary>A call running on a thread of its own, and what it threw (kept with its stack).</summary>
    private sealed class SideThread
    {
        private readonly Thread _thread;

        private SideThread(Action call) => _thread = new Thread(() =>
        {
            try
            {
                call();
            }
            catch (Exception e)
            {
                Failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
            }
        });

        public System.Runtime.ExceptionServices.ExceptionDispatchInfo? Failure { get; private set; }

        public static SideThread Start(Action call)
        {
            var side = new SideThread(call);
            side._thread.Start();
            return side;
        }

        public bool Join(TimeSpan limit) => _thread.Join(limit);
    }

    private sealed class Idle : IFdHandler
    {
        public void OnReadable()
        {
        }

        public void OnWritable()
        {
        }
    }

    private static TapBackend Tap(LinuxHost rig, string name, bool vnetHdr = true)
    {
        var r = rig.InitTap(new TapOptions { Id = name, Ifname = name, Script = "no", Downscript = "no",
            VnetHdr = vnetHdr ? null : false });
        Assert.Null(r.Error);
        return Assert.IsType<TapBackend>(Assert.Single(r.Created));
    }

    /// <summary>
    /// Sends <see cref="Bursts"/> bursts of <see cref="Burst"/> datagrams from <paramref name="from"/> to
    /// <paramref name="toIp"/> in <paramref name="to"/>, each burst sent back to back and then received in full before
    /// the next; returns how many arrived equal, in order, to what was sent (the first difference fails).
    /// </summary>
    private static int Exchange(TestNetns from, TestNetns to, string toIp, int seed)
    {
        using var receiver = Receiver(to, toIp, Port);
        using var sender = NetworkNamespace.Run(from.Name,
            () => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp), SideTimeout);
        var destination = new IPEndPoint(IPAddress.Parse(toIp), Port);
        var got = new byte[2048];
        ResolveNeighbour(sender, to, toIp);
        int matched = 0;
        for (int burst = 0; burst < Bursts; burst++)
        {
            var sent = new List<byte[]>();
            for (int i = 0; i < Burst; i++)
            {
                sent.Add(Payload(seed, burst * Burst + i));
                sender.SendTo(sent[^1], destination);
            }
            foreach (var expected in sent)
            {
                int n = receiver.Receive(got);
                Assert.True(expected.AsSpan().SequenceEqual(got.AsSpan(0, n)),
                    $"datagram {matched} ({expected.Length} bytes) arrived as {n} bytes that differ");
                matched++;
            }
        }
        return matched;
    }

    /// <summary>A UDP socket in <paramref name="ns"/> bound to <paramref name="ip"/>:<paramref name="port"/>, whose
    /// receives time out after <see cref="ReceiveTimeout"/>.</summary>
    private static Socket Receiver(TestNetns ns, string ip, int port) => NetworkNamespace.Run(ns.Name, () =>
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Parse(ip), port));
        s.ReceiveTimeout = (int)ReceiveTimeout.TotalMilliseconds;
        return s;
    }, SideTimeout);

    /// <summary>
    /// Resolves <paramref name="toIp"/>'s neighbour entry on the sending side before the bursts: datagrams sent while
    /// ARP is pending wait in the kernel's queue, and one sent just as the reply lands can overtake them on the way to
    /// the tap (seen once in CI: the first burst's datagram 29 arrived fourth, whatever the forwarder). Warm-up
    /// datagrams go to another port, so a late one cannot mix with the bursts.
    /// </summary>
    private static void ResolveNeighbour(Socket sender, TestNetns to, string toIp)
    {
        using var warm = Receiver(to, toIp, WarmUpPort);
        var destination = new IPEndPoint(IPAddress.Parse(toIp), WarmUpPort);
        var got = new byte[16];
        for (int attempt = 1; attempt <= WarmUpAttempts; attempt++)
        {
            sender.SendTo("warm"u8.ToArray(), destination);
            try
            {
                warm.Receive(got);
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                // Not there yet: ARP or the loop is slow on a loaded machine; send another.
            }
        }
        Assert.Fail($"no warm-up datagram reached {toIp}:{WarmUpPort} in {WarmUpAttempts} tries of {ReceiveTimeout}");
    }

    /// <summary>The datagrams of an <see cref="Exchange"/> whose frames are not padded: 18 bytes of payload or more
    /// after Ethernet (14), IPv4 (20) and UDP (8) make the 60 bytes below which the core pads.</summary>
    private static int Unpadded(int seed) =>
        Enumerable.Range(0, Burst * Bursts).Count(i => Payload(seed, i).Length >= 60 - 14 - 20 - 8);

    /// <summary>Datagram <paramref name="index"/>: a length from 1 to 1472 (one untagged frame of 1514 bytes at
    /// most) and bytes that differ by position, index and direction, from a fixed linear congruential sequence.</summary>
    private static byte[] Payload(int seed, int index)
    {
        uint x = (uint)(seed * 7919 + index * 104729 + 1);
        var payload = new byte[1 + (int)(x % 1472)];
        for (int i = 0; i < payload.Length; i++)
        {
            x = x * 1664525 + 1013904223;
            payload[i] = (byte)(x >> 24);
        }
        return payload;
    }
}
