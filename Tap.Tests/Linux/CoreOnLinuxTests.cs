using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Options;
using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary>The unchanged core driving real TUN devices through <see cref="Tap.Linux.LinuxOsNet"/>, in throw-away namespaces.</summary>
[Collection(LinuxCollection.Name)]
public sealed class CoreOnLinuxTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(3);

    private static string SysfsFlags(TestNetns ns, string ifname) => ns.Exec("cat", $"/sys/class/net/{ifname}/tun_flags").Trim();

    private static bool LinkExists(TestNetns ns, string ifname)
    {
        try
        {
            ns.Ip("link", "show", ifname);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    [SkippableFact(DisplayName = "O37/R4-R10 on Linux: tap%d with vnet header, info string, tun_flags 0x7002; deletion closes it")]
    public void OpenByName()
    {
        RealKernel.Tun(output).InNamespace((ns, rig) =>
        {
            var r = rig.InitTap(new TapOptions { Id = "t0", Script = "no", Downscript = "no" });
            Assert.Null(r.Error);
            var tap = Assert.IsType<TapBackend>(Assert.Single(r.Created));
            Assert.Equal("ifname=tap0,script=no,downscript=no", tap.InfoStr);
            Assert.True(tap.HasVnetHdr);
            Assert.True(tap.HasUfo);
            Assert.Equal("0x7002", SysfsFlags(ns, "tap0"));
            Assert.True(tap.WatchingReadable);

            rig.Stack.DeleteAll();
            Assert.False(tap.IsOpen);
            Assert.False(LinkExists(ns, "tap0"));
        });
    }

    [SkippableFact(DisplayName = "O37/R26/R27 on Linux: queues=4 makes 4 queues (0x7102); disable detaches, enable attaches")]
    public void MultiQueue()
    {
        RealKernel.Tun(output).InNamespace((ns, rig) =>
        {
            var r = rig.InitTap(new TapOptions { Id = "mq", Script = "no", Downscript = "no", Queues = 4, VnetHdr = false });
            Assert.Null(r.Error);
            Assert.Equal(4, r.Created.Count);
            Assert.Equal("0x3102", SysfsFlags(ns, "tap0"));
            var q1 = (TapBackend)r.Created[1];
            Assert.Equal("ifname=tap0,script=no,downscript=no", q1.InfoStr);
            Assert.False(q1.HasVnetHdr);

            Assert.Equal(0, q1.Disable());
            Assert.False(q1.Enabled);
            Assert.False(q1.WatchingReadable);
            var iff = rig.Os.TunGetIff(q1.Fd);
            Assert.True((iff.Value.Flags & TunFlags.DetachQueue) != 0);
            Assert.Equal(0, q1.Disable());   // I9: no ioctl, no change
            Assert.Equal(0, q1.Enable());
            Assert.True(q1.WatchingReadable);
            Assert.True((rig.Os.TunGetIff(q1.Fd).Value.Flags & TunFlags.DetachQueue) == 0);
            rig.Stack.DeleteAll();
        });
    }

    [SkippableFact(DisplayName = "R26 on Linux: a single-queue tap refuses TUNSETQUEUE; 'could not disable queue' and state kept")]
    public void SingleQueueDisableFails()
    {
        RealKernel.Tun(output).InNamespace((ns, rig) =>
        {
            var tap = (TapBackend)rig.InitTap(new TapOptions { Id = "t0", Script = "no", Downscript = "no" }).Created[0];
            Assert.Equal(-(int)Errno.EINVAL, tap.Disable());
            Assert.True(tap.Enabled);
            Assert.Contains(rig.Reports, d => d.Message == "could not disable queue");
            rig.Stack.DeleteAll();
        });
    }

    [SkippableFact(DisplayName = "S6/S7 on Linux: the setup script gets [path, ifname]; the down script runs once at deletion")]
    public void Scripts()
    {
        var kernel = RealKernel.Tun(output);
        using var dir = new TempDir();
        string log = Path.Combine(dir.Path, "log");
        string up = dir.Write("up.sh", $"#!/bin/sh\necho \"up $0 $1\" >> {log}\n");
        string down = dir.Write("down.sh", $"#!/bin/sh\necho \"down $0 $1\" >> {log}\n");
        kernel.InNamespace((ns, rig) =>
        {
            var r = rig.InitTap(new TapOptions { Id = "t0", Ifname = "spec%d", Script = up, Downscript = down, Queues = 2 });
            Assert.Null(r.Error);
            Assert.Equal($"ifname=spec0,script={up},downscript={down}", r.Created[0].InfoStr);
            Assert.Equal("ifname=spec0,script=no,downscript=no", r.Created[1].InfoStr);
            Assert.Equal(new[] { $"up {up} spec0" }, File.ReadAllLines(log));
            rig.Stack.DeleteAll();
            rig.Stack.DeleteAll();
        });
        Assert.Equal(new[] { $"up {up} spec0", $"down {down} spec0" }, File.ReadAllLines(log));
    }

    [SkippableFact(DisplayName = "S5/D-30 on Linux: a failing setup script fails creation with the raw status and leaves no tap")]
    public void FailingScript()
    {
        var kernel = RealKernel.Tun(output);
        using var dir = new TempDir();
        string up = dir.Write("up.sh", "#!/bin/sh\nexit 3\n");
        kernel.InNamespace((ns, rig) =>
        {
            var r = rig.InitTap(new TapOptions { Id = "t0", Ifname = "bad0", Script = up, Downscript = "no" });
            Assert.Equal($"network script {up} failed with status 768 (exit code 3)", r.Error);
            Assert.Empty(rig.Stack.Clients);
            Assert.False(LinkExists(ns, "bad0"));
        });
    }

    [SkippableFact(DisplayName = "O36/D-1 on Linux: vhost=on without /dev/vhost-net is QEMU's error; the tap is gone, no fd leaks")]
    public void VhostMissing()
    {
        var kernel = RealKernel.Tun(output);
        Skip.If(File.Exists("/dev/vhost-net"), "this machine has /dev/vhost-net; the test is for a kernel without it");
        kernel.InNamespace((ns, rig) =>
        {
            var r = rig.InitTap(new TapOptions { Id = "t0", Script = "no", Downscript = "no", Vhost = true });
            Assert.Equal("tap: open vhost char device failed: No such file or directory", r.Error);
            Assert.Empty(rig.Stack.Clients);
            Assert.False(LinkExists(ns, "tap0"));
        });
    }

    [SkippableFact(DisplayName = "O31 branch B on Linux: fds= takes two queues of a multiqueue tap; a tap of another kind is 'not consistent'")]
    public void InheritedFds()
    {
        RealKernel.Tun(output).InNamespace((ns, rig) =>
        {
            const TunFlags mq = TunFlags.Tap | TunFlags.NoPi | TunFlags.VnetHdr | TunFlags.MultiQueue;
            var (a, name) = rig.OpenTap("mqx", mq);
            var (b, _) = rig.OpenTap("mqx", mq);
            var r = rig.InitTap(new TapOptions { Id = "t0", Fds = $"{a.Number}:{b.Number}" });
            Assert.Null(r.Error);
            Assert.Equal(new[] { $"fd={a.Number}", $"fd={b.Number}" }, r.Created.Select(c => c.InfoStr));
            rig.Stack.DeleteAll();
            Assert.False(LinkExists(ns, name));

            var (c, _) = rig.OpenTap("plain0", TunFlags.Tap | TunFlags.NoPi | TunFlags.VnetHdr);
            var (d, _) = rig.OpenTap("plain1", TunFlags.Tap | TunFlags.NoPi);
            var bad = rig.InitTap(new TapOptions { Id = "t1", Fds = $"{c.Number}:{d.Number}" });
            Assert.Equal("vnet_hdr not consistent across given tap fds", bad.Error);
            Assert.False(LinkExists(ns, "plain0"));   // D-4: both fds were taken and closed
            Assert.False(LinkExists(ns, "plain1"));
        });
    }

    [SkippableFact(DisplayName = "O31 branch A on Linux: fd= takes an inherited tap fd; info fd=N; a non-tap fd gives QEMU's probe error")]
    public void InheritedFd()
    {
        RealKernel.Tun(output).InNamespace((ns, rig) =>
        {
            var (fd, name) = rig.OpenTap("given0");
            var r = rig.InitTap(new TapOptions { Id = "t0", Fd = fd.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            Assert.Null(r.Error);
            Assert.Equal($"fd={fd.Number}", r.Created[0].InfoStr);
            Assert.True(r.Created[0].HasVnetHdr);
            rig.Stack.DeleteAll();
            Assert.False(LinkExists(ns, name));

            // Not fd 0 as in QEMU's verified case: the netdev takes the fd and closes it on failure, and this
            // process's stdin must survive the test.
            Assert.Equal(Errno.None, Tap.Linux.Interop.Libc.Open("/dev/null", Tmds.Linux.LibC.O_RDONLY | Tmds.Linux.LibC.O_CLOEXEC, out var devNull));
            int n = devNull.Number;
            devNull.SetHandleAsInvalid();   // ownership passes to the netdev
            var bad = rig.InitTap(new TapOptions { Id = "t1", Fd = n.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            Assert.Equal($"Unable to query TUNGETIFF on FD {n}: Inappropriate ioctl for device", bad.Error);
            Assert.Null(FdCensus.TargetOf(n));
        });
    }

    [SkippableTheory(DisplayName = "R11/R20/Q16 on Linux: frames cross the core both ways; header stripped and prepended, short frames padded")]
    [InlineData(true)]
    [InlineData(false)]
    public void FramesThroughCore(bool vnetHdr)
    {
        RealKernel.Tun(output).InNamespace((ns, rig) =>
        {
            var r = rig.InitTap(new TapOptions { Id = "t0", Script = "no", Downscript = "no", VnetHdr = vnetHdr });
            var tap = (TapBackend)r.Created[0];
            Assert.Equal(vnetHdr, tap.HasVnetHdr);
            ns.Ip("addr", "add", Frames.TapCidr, "dev", "tap0");
            ns.Ip("link", "set", "tap0", "up");

            var hub = rig.Stack.GetOrCreateHub(0);
            hub.AddPort("h0", tap);
            var guest = new Core.ScriptedClient(rig.Stack, null, "guest");
            hub.AddPort("h1", guest);

            // Guest → host: an ARP request for the tap's address, 42 bytes, written with a zero 10-byte header.
            var request = Frames.ArpRequest(Frames.PeerMac, Frames.PeerIp, Frames.TapIp);
            Assert.Equal(request.Length, guest.Send(request));
            Assert.Equal(1, tap.Counters.ReceivedPackets);

            // Host → guest: the kernel's reply is read, stripped of its header and padded to 60 for the hub.
            var deadline = DateTime.UtcNow + ReplyTimeout;
            while (DateTime.UtcNow < deadline && !guest.Got.Any(f => Frames.IsArpReply(f, Frames.TapIp, Frames.PeerMac)))
            {
                rig.Loop.RunOnce(100);
            }
            var reply = Assert.Single(guest.Got, f => Frames.IsArpReply(f, Frames.TapIp, Frames.PeerMac));
            Assert.Equal(NetLimits.EthZLenBytes, reply.Length);
            Assert.True(tap.FramesRead >= 1);
            rig.Stack.DeleteAll();
        });
    }

    [SkippableTheory(DisplayName = "R11 on Linux: frames written with the host's header arrive whole on either side of the edge's 2048-byte join (one write or writev); the replies come back whole")]
    [InlineData(new[] { 1, 1400, 1996, 1997, 3000, 8000 })]
    public void EchoAcrossWriteSizes(int[] payloadSizes)
    {
        RealKernel.Tun(output).InNamespace((ns, rig) =>
        {
            var tap = (TapBackend)rig.InitTap(new TapOptions { Id = "t0", Script = "no", Downscript = "no" }).Created[0];
            Assert.True(tap.HasVnetHdr);
            ns.Ip("link", "set", "tap0", "mtu", "9000");
            ns.Ip("addr", "add", Frames.TapCidr, "dev", "tap0");
            ns.Ip("link", "set", "tap0", "up");
            ns.Ip("neigh", "replace", "169.254.77.2", "lladdr", "02:00:00:00:77:02", "dev", "tap0");
            byte[] tapMac = Convert.FromHexString(
                ns.Exec("cat", "/sys/class/net/tap0/address").Trim().Replace(":", ""));

            var hub = rig.Stack.GetOrCreateHub(0);
            hub.AddPort("h0", tap);
            var guest = new Core.ScriptedClient(rig.Stack, null, "guest");
            hub.AddPort("h1", guest);

            for (int i = 0; i < payloadSizes.Length; i++)
            {
                ushort id = (ushort)(0x7700 + i);
                var payload = new byte[payloadSizes[i]];
                new Random(payloadSizes[i]).NextBytes(payload);
                var request = Frames.IcmpEchoRequest(Frames.PeerMac, tapMac, Frames.PeerIp, Frames.TapIp, id, payload);
                // The tap writes the 10-byte header in front: 2048 bytes in all for 1996 bytes of payload.
                Assert.Equal(request.Length, guest.Send(request));

                byte[]? echoed = null;
                var deadline = DateTime.UtcNow + ReplyTimeout;
                while (echoed is null && DateTime.UtcNow < deadline)
                {
                    rig.Loop.RunOnce(100);
                    echoed = guest.Got.Select(f => Frames.IcmpEchoReplyPayload(f, Frames.PeerMac, id))
                        .FirstOrDefault(p => p is not null);
                }
                Assert.True(echoed is not null,
                    $"no echo reply within {ReplyTimeout} for a frame of {request.Length} bytes; tap counters: " +
                    $"received {tap.Counters.ReceivedPackets}, write drops {tap.Counters.Drops(Tap.Core.Net.DropReason.WriteError)}");
                Assert.Equal(payload, echoed);
            }
            Assert.Equal(0, tap.Counters.TotalDrops);
            rig.Stack.DeleteAll();
        });
    }
}
