using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Sim;

namespace Tap.Tests.Sim;

/// <summary>The simulated kernel against the facts of linux-tun.md (observed on this host's 6.18 kernel).</summary>
public sealed class SimKernelTests
{
    private static (SimKernel K, Fd Fd) Tap(string name = "tap%d", TunFlags flags = TunFlags.Tap | TunFlags.NoPi | TunFlags.VnetHdr)
    {
        var k = new SimKernel(1);
        var fd = k.OpenTunControl().Value;
        Assert.True(k.TunSetIff(fd, name, flags).Ok);
        return (k, fd);
    }

    [Fact(DisplayName = "linux-tun §10: fds are the lowest free number; 0-2 are taken; a closed number is reused")]
    public void LowestFree()
    {
        var k = new SimKernel(1);
        var a = k.OpenTunControl().Value;
        var b = k.OpenTunControl().Value;
        Assert.Equal((3, 4), (a.Number, b.Number));
        Assert.True(k.Close(a).Ok);
        Assert.Equal(3, k.OpenTunControl().Value.Number);
        Assert.Equal(Errno.EBADF, k.Close(new Fd(99)).Error);
        Assert.Equal(Errno.EBADF, k.SetNonBlocking(new Fd(99)).Error);
    }

    [Fact(DisplayName = "linux-tun §1.2: tap%d takes the lowest free index; names keep 15 bytes; bad names are EINVAL")]
    public void Names()
    {
        var k = new SimKernel(1);
        string Set(string name)
        {
            var r = k.TunSetIff(k.OpenTunControl().Value, name, TunFlags.Tap | TunFlags.NoPi);
            return r.Ok ? r.Value : r.Error.ToString();
        }
        Assert.Equal("tap0", Set("tap%d"));
        Assert.Equal("tap1", Set("tap%d"));
        Assert.Equal("abcdefghijklmno", Set("abcdefghijklmnop"));
        Assert.Equal("EINVAL", Set("a b"));
        Assert.Equal("EINVAL", Set("a/b"));
        Assert.Equal("EINVAL", Set("t%d%d"));
        Assert.Equal("EINVAL", Set("lo"));
        Assert.Equal("EBUSY", Set("tap0"));
        k.HasNetAdmin = false;
        Assert.Equal("EPERM", Set("new0"));
    }

    [Fact(DisplayName = "linux-tun §10: TUNSETIFF on a bound fd is EEXIST; multiqueue mismatch EINVAL; 257th queue E2BIG")]
    public void AttachRules()
    {
        var (k, fd) = Tap("mq0", TunFlags.Tap | TunFlags.NoPi | TunFlags.MultiQueue);
        Assert.Equal(Errno.EEXIST, k.TunSetIff(fd, "x", TunFlags.Tap).Error);
        Assert.Equal(Errno.EINVAL, k.TunSetIff(k.OpenTunControl().Value, "mq0", TunFlags.Tap | TunFlags.NoPi).Error);
        for (int i = 1; i < 256; i++)
        {
            Assert.True(k.TunSetIff(k.OpenTunControl().Value, "mq0", TunFlags.Tap | TunFlags.NoPi | TunFlags.MultiQueue).Ok);
        }
        Assert.Equal(Errno.E2BIG, k.TunSetIff(k.OpenTunControl().Value, "mq0", TunFlags.Tap | TunFlags.NoPi | TunFlags.MultiQueue).Error);
    }

    [Fact(DisplayName = "linux-tun §10: per-device ioctls on an unattached fd are EBADFD; on a non-tun fd ENOTTY")]
    public void Unbound()
    {
        var k = new SimKernel(1);
        var fd = k.OpenTunControl().Value;
        Assert.Equal(TunFlags.Tun | TunFlags.Tap | TunFlags.Napi | TunFlags.NapiFrags | TunFlags.NoCarrier | TunFlags.MultiQueue
            | TunFlags.NoPi | TunFlags.OneQueue | TunFlags.VnetHdr, k.TunGetFeatures(fd).Value);
        Assert.Equal(Errno.EBADFD, k.TunGetIff(fd).Error);
        Assert.Equal(Errno.EBADFD, k.TunSetOffload(fd, TunOffload.None).Error);
        Assert.Equal(Errno.EBADFD, k.TunSetVnetHdrSize(fd, 10).Error);
        Assert.Equal(Errno.EINVAL, k.TunSetQueue(fd, TunFlags.DetachQueue).Error);
        Assert.Equal(Errno.EBADFD, k.Read(fd, new byte[100]).Error);
        var other = k.AddOtherFd("/dev/null");
        Assert.Equal(Errno.ENOTTY, k.TunGetIff(other).Error);
        Assert.Equal(Errno.ENOTTY, k.TunGetFeatures(other).Error);
    }

    [Theory(DisplayName = "linux-tun §4/§12: TUNSETOFFLOAD accepts and refuses exactly as this kernel does")]
    [InlineData(0x00, true)]
    [InlineData(0x01, true)]
    [InlineData(0x03, true)]
    [InlineData(0x0f, true)]
    [InlineData(0x11, true)]
    [InlineData(0x61, true)]
    [InlineData(0x7f, true)]
    [InlineData(0x02, false)]
    [InlineData(0x09, false)]
    [InlineData(0x10, false)]
    [InlineData(0x21, false)]
    [InlineData(0x41, false)]
    [InlineData(0x60, false)]
    [InlineData(0x200, false)]
    public void OffloadTable(int mask, bool accepted)
    {
        var (k, fd) = Tap();
        Assert.Equal(accepted, k.TunSetOffload(fd, (TunOffload)mask).Ok);
    }

    [Fact(DisplayName = "linux-tun §5-§8: header size ≥ 10, sndbuf > 0, LE ok, BE EINVAL, steering -1 ok, TUNGETIFF flags")]
    public void ControlIoctls()
    {
        var (k, fd) = Tap();
        Assert.Equal(Errno.EINVAL, k.TunSetVnetHdrSize(fd, 9).Error);
        Assert.True(k.TunSetVnetHdrSize(fd, 4096).Ok);
        Assert.Equal(Errno.EINVAL, k.TunSetSndBuf(fd, 0).Error);
        Assert.True(k.TunSetSndBuf(fd, 1).Ok);
        Assert.True(k.TunSetVnetLe(fd, true).Ok);
        Assert.Equal(Errno.EINVAL, k.TunSetVnetBe(fd, true).Error);
        Assert.True(k.TunSetSteeringEbpf(fd, -1).Ok);
        Assert.Equal(Errno.EBADF, k.TunSetSteeringEbpf(fd, 999).Error);
        Assert.Equal(Errno.EINVAL, k.TunSetSteeringEbpf(fd, 1).Error);
        var iff = k.TunGetIff(fd).Value;
        Assert.Equal("tap0", iff.Name);
        Assert.Equal(0x5002, (int)iff.Flags);          // TAP | NO_PI(=NOFILTER) | VNET_HDR
        Assert.Equal(Errno.EINVAL, k.TunSetQueue(fd, TunFlags.DetachQueue).Error);   // single queue
    }

    [Fact(DisplayName = "linux-tun §8.1: detach purges the queue, reports DETACH_QUEUE; attach/detach twice is EINVAL")]
    public void QueueDetach()
    {
        var (k, fd) = Tap("mq0", TunFlags.Tap | TunFlags.NoPi | TunFlags.MultiQueue);
        k.HostSend("mq0", new byte[60]);
        Assert.Equal(Errno.EINVAL, k.TunSetQueue(fd, TunFlags.AttachQueue).Error);
        Assert.True(k.TunSetQueue(fd, TunFlags.DetachQueue).Ok);
        Assert.Equal(Errno.EINVAL, k.TunSetQueue(fd, TunFlags.DetachQueue).Error);
        Assert.True((k.TunGetIff(fd).Value.Flags & TunFlags.DetachQueue) != 0);
        Assert.Equal(Errno.EAGAIN, k.Read(fd, new byte[100]).Error);
        Assert.False(k.HostSend("mq0", new byte[60]));         // no attached queue: dropped by the device
        Assert.True(k.TunSetQueue(fd, TunFlags.AttachQueue).Ok);
        Assert.Equal(1, k.Device("mq0")!.Queues[0].Purged);
    }

    [Fact(DisplayName = "linux-tun §9: reads give header+frame, truncate, lose the packet on a too-small buffer; EAGAIN when empty")]
    public void Reads()
    {
        var (k, fd) = Tap();
        Assert.Equal(Errno.EAGAIN, k.Read(fd, new byte[100]).Error);
        k.HostSend("tap0", new byte[60], vnetHeader: new byte[] { 1, 0, 0, 0, 0, 0, 34, 0, 6, 0 });
        var buf = new byte[200];
        Assert.Equal(70, k.Read(fd, buf).Value);
        Assert.Equal(1, buf[0]);
        k.HostSend("tap0", new byte[60]);
        Assert.Equal(30, k.Read(fd, new byte[30]).Value);
        k.HostSend("tap0", new byte[60]);
        Assert.Equal(Errno.EINVAL, k.Read(fd, new byte[5]).Error);
        Assert.Equal(Errno.EAGAIN, k.Read(fd, buf).Error);
        Assert.True(k.TunSetVnetHdrSize(fd, 12).Ok);
        k.HostSend("tap0", new byte[60]);
        Assert.Equal(72, k.Read(fd, buf).Value);
    }

    [Fact(DisplayName = "linux-tun §9: writes: EIO while down, EINVAL for runts, EAGAIN past the send buffer, whole length back")]
    public void Writes()
    {
        var (k, fd) = Tap();
        var hdr = new byte[10];
        Assert.Equal(Errno.EIO, k.Write(fd, hdr, new byte[60]).Error);
        k.SetLinkUp("tap0", true);
        Assert.Equal(Errno.EINVAL, k.Write(fd, hdr, new byte[13]).Error);
        Assert.Equal(Errno.EINVAL, k.Write(fd, new byte[5], default).Error);
        Assert.Equal(24, k.Write(fd, hdr, new byte[14]).Value);
        Assert.True(k.TunSetSndBuf(fd, 100).Ok);
        Assert.Equal(Errno.EAGAIN, k.Write(fd, hdr, new byte[80]).Error);    // 24 in flight + 90 > 100
        Assert.Single(k.HostReceive("tap0"));
        Assert.Equal(90, k.Write(fd, hdr, new byte[80]).Value);
        Assert.Equal(1, k.Device("tap0")!.Queues[0].WritesAccepted - 1);
    }

    [Fact(DisplayName = "linux-tun §1.2: the device goes with its last fd, unless persistent; a deleted device fails with EBADFD")]
    public void Lifetime()
    {
        var (k, fd) = Tap();
        Assert.NotNull(k.Device("tap0"));
        k.Close(fd);
        Assert.Null(k.Device("tap0"));
        var foreign = k.AddForeignTap("keep0", multiQueue: false, queues: 0);
        var fd2 = k.OpenTunControl().Value;
        Assert.True(k.TunSetIff(fd2, "keep0", TunFlags.Tap | TunFlags.NoPi).Ok);
        k.Close(fd2);
        Assert.Same(foreign, k.Device("keep0"));
        var (k3, fd3) = Tap();
        k3.DeleteDevice("tap0");
        Assert.Equal(Errno.EBADFD, k3.Read(fd3, new byte[100]).Error);
        Assert.Equal(Errno.EBADFD, k3.TunGetIff(fd3).Error);
    }

    [Fact(DisplayName = "B5/B6: the helper's socket end is the second lowest free fd, and a sent fd arrives on that number")]
    public void HelperFdNumbers()
    {
        var k = new SimKernel(1);
        k.AddOtherFd("x");                                  // 3
        k.Helpers["/h"] = SimHelper.SendsTap();
        var outcome = k.RunBridgeHelper(new HelperLaunch("/h", new[] { "--use-vnet" }, new[] { "--br=br0" }));
        Assert.Equal(new[] { "/h", "--use-vnet", "--fd=5", "--br=br0" }, k.HelperRuns[0]);
        Assert.Equal(HelperReceive.Fd, outcome.Receive);
        Assert.Equal(5, outcome.ReceivedFd.Number);
        Assert.Equal(new[] { 0, 1, 2, 3, 5 }, k.OpenFds);
        Assert.True(k.Device("tap0")!.HasVnetHdr);
    }

    [Fact(DisplayName = "S3/S5: scripts see fds 0-2 and the tap fd; a missing one is an exec failure (QEMU's status 256)")]
    public void Scripts()
    {
        var (k, fd) = Tap();
        k.Scripts["/up"] = SimScript.Succeeds;
        Assert.True(k.RunScript("/up", "tap0", fd).Succeeded);
        Assert.Equal(new[] { 0, 1, 2, 3 }, k.ScriptRuns[0].ChildFds);
        var missing = k.RunScript("/nope", "tap0", fd);
        Assert.Equal(ChildEnd.ExecFailed, missing.End);
        Assert.Equal(256, missing.RawWaitStatus);
        Assert.Equal(9, SimScript.KilledBy(9).Outcome.RawWaitStatus);
        Assert.Equal(ChildEnd.TimedOut, SimScript.Hangs.Outcome.End);
        Assert.Equal(ChildEnd.WaitFailed, SimScript.WaitFails.Outcome.End);
    }

    [Fact(DisplayName = "vhost-net §9: absent → ENOENT; present: init once per fd, on a non-vhost fd QEMU's owner error")]
    public void Vhost()
    {
        var (k, fd) = Tap();
        Assert.Equal(Errno.ENOENT, k.OpenVhostNet().Error);
        k.VhostPresent = true;
        var v = k.OpenVhostNet().Value;
        Assert.True(k.VhostNetInit(v, fd, true, 0).Ok);
        Assert.Equal("vhost_set_owner failed: Device or resource busy", k.VhostNetInit(v, fd, true, 0).Detail);
        k.VhostNetCleanup(v);
        Assert.Equal("vhost_set_owner failed: Inappropriate ioctl for device", k.VhostNetInit(fd, fd, true, 0).Detail);
        Assert.Equal("vhost_set_owner failed: Bad file descriptor", k.VhostNetInit(new Fd(77), fd, true, 0).Detail);
        k.VhostInitFailsFrom = 0;
        Assert.False(k.VhostNetInit(v, fd, true, 0).Ok);
    }

    [Fact(DisplayName = "Determinism: the main loop dispatches ready fds in a seeded order; the same seed, the same order")]
    public void SeededDispatchOrder()
    {
        static string Order(ulong seed)
        {
            var k = new SimKernel(seed);
            var seen = new List<int>();
            for (int i = 0; i < 6; i++)
            {
                var fd = k.OpenTunControl().Value;
                k.TunSetIff(fd, $"t{i}", TunFlags.Tap | TunFlags.NoPi);
                k.HostSend($"t{i}", new byte[60]);
                k.Watch(fd, new Recorder(seen, fd.Number), true, false);
            }
            k.RunOnce();
            return string.Join(",", seen);
        }
        Assert.Equal(Order(11), Order(11));
        Assert.NotEqual(Order(11), Order(12));
    }

    [Fact(DisplayName = "FaultPlan: sites switched on by the seed fire with their probability; none means none")]
    public void Faults()
    {
        Assert.Equal("none", FaultPlan.None.ToString());
        var plan = new FaultPlan().With(FaultSite.WriteEagain, new Ratio(1, 1));
        var k = new SimKernel(1, plan);
        var fd = k.OpenTunControl().Value;
        k.TunSetIff(fd, "tap%d", TunFlags.Tap | TunFlags.NoPi);
        k.SetLinkUp("tap0", true);
        Assert.Equal(Errno.EAGAIN, k.Write(fd, default, new byte[60]).Error);
        Assert.Contains("WriteEagain=1/1", plan.ToString());
        var some = FaultPlan.FromSeed(new SimRandom(3), new[] { FaultSite.ReadEintr, FaultSite.WriteEio, FaultSite.WriteEintr });
        Assert.Equal(some.ToString(), FaultPlan.FromSeed(new SimRandom(3), new[] { FaultSite.ReadEintr, FaultSite.WriteEio, FaultSite.WriteEintr }).ToString());
    }

    [Fact(DisplayName = "SimRandom: same seed, same stream; ranges respected")]
    public void Random()
    {
        var a = new SimRandom(5);
        var b = new SimRandom(5);
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(a.NextUInt64(), b.NextUInt64());
            int n = a.Next(3, 9);
            Assert.InRange(n, 3, 8);
            b.Next(3, 9);
        }
        Assert.False(a.Chance(0));
        Assert.True(a.Chance(1.0));
        Assert.False(a.Chance(Ratio.Zero));
        Assert.True(a.Chance(new Ratio(7, 7)));
    }

    private sealed class Recorder(List<int> seen, int fd) : IFdHandler
    {
        public void OnReadable() => seen.Add(fd);
        public void OnWritable()
        {
        }
    }
}
