using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Sim;

namespace Tap.Tests.Sim;

/// <summary>
/// The simulated tun/tap device against linux-tun.md (§1.2 names, §3.1 flags on attach, §9 reads and writes) and
/// the host side of a tap (frames in and out, deletion). Each test kills mutants of SimKernel.Tun.cs,
/// SimKernel.Data.cs or SimKernel.cs that no other test noticed (docs/mutation/sim-kernel-triage.md).
/// </summary>
public sealed class SimTunPinsTests
{
    private const TunFlags TapNoPi = TunFlags.Tap | TunFlags.NoPi;

    private static SimKernel UpTap(string name, out Fd fd, FaultPlan? faults = null)
    {
        var k = new SimKernel(5, faults);
        fd = k.OpenTunControl().Value;
        Assert.True(k.TunSetIff(fd, name, TapNoPi | TunFlags.VnetHdr).Ok);
        k.SetLinkUp(name, true);
        return k;
    }

    [Fact(DisplayName = "linux-tun §10: TUNSETIFF and TUNSETQUEUE on a closed fd are EBADF, on a non-tun fd ENOTTY")]
    public void IoctlsOnWrongFds()
    {
        var k = new SimKernel(1);
        Assert.Equal(Errno.EBADF, k.TunSetIff(new Fd(99), "t0", TapNoPi).Error);
        Assert.Equal(Errno.ENOTTY, k.TunSetIff(new Fd(0), "t0", TapNoPi).Error);
        Assert.Equal(Errno.EBADF, k.TunSetQueue(new Fd(99), TunFlags.DetachQueue).Error);
        Assert.Equal(Errno.ENOTTY, k.TunSetQueue(new Fd(1), TunFlags.DetachQueue).Error);
        Assert.Empty(k.Devices);
    }

    [Fact(DisplayName = "linux-tun §1.2: '.' and '..' are EINVAL, '%d' alone is '0', a trailing '%' is EINVAL, a 15-byte result is kept")]
    public void TemplateNames()
    {
        var k = new SimKernel(1);
        string Set(string name)
        {
            var r = k.TunSetIff(k.OpenTunControl().Value, name, TapNoPi);
            return r.Ok ? r.Value : r.Error.ToString();
        }
        Assert.Equal("EINVAL", Set("."));
        Assert.Equal("EINVAL", Set(".."));
        Assert.Equal("0", Set("%d"));
        Assert.Equal("EINVAL", Set("tap%"));
        for (int i = 0; i < 10; i++)
        {
            k.AddForeignTap($"abcdefghijklm{i}", multiQueue: false, queues: 1);
        }
        Assert.Equal("abcdefghijklm10", Set("abcdefghijklm%d"));
    }

    [Fact(DisplayName = "linux-tun §1.2: a %d template with indexes 0-32767 all taken is ENFILE (net/core/dev.c: one page of bits)")]
    public void TemplateIndexesRunOut()
    {
        var k = new SimKernel(1);
        for (int i = 0; i < 32767; i++)
        {
            k.AddForeignTap($"t{i}", multiQueue: false, queues: 1);
        }
        var fd = k.OpenTunControl().Value;
        Assert.Equal("t32767", k.TunSetIff(fd, "t%d", TapNoPi).Value);
        Assert.Equal(Errno.ENFILE, k.TunSetIff(k.OpenTunControl().Value, "t%d", TapNoPi).Error);
        Assert.Equal("u0", k.TunSetIff(k.OpenTunControl().Value, "u%d", TapNoPi).Value);
    }

    [Fact(DisplayName = "linux-tun §3.1: attaching to a persistent tap re-initialises its feature flags from the request (TUNGETIFF 0x1802: TAP, NOFILTER, PERSIST)")]
    public void AttachReinitialisesFlags()
    {
        var k = new SimKernel(1);
        k.AddForeignTap("keep0", multiQueue: false, queues: 0, vnetHdr: true);
        var fd = k.OpenTunControl().Value;
        Assert.Equal("keep0", k.TunSetIff(fd, "keep0", TapNoPi).Value);
        Assert.Equal(0x1802, (int)k.TunGetIff(fd).Value.Flags);
        Assert.False(k.Device("keep0")!.HasVnetHdr);
    }

    [Fact(DisplayName = "linux-tun §3.1: a multiqueue tap's first queue re-initialises the flags (0x1902), a second one leaves them")]
    public void MultiQueueReinitialisesOnlyOnFirstQueue()
    {
        var k = new SimKernel(1);
        k.AddForeignTap("mq0", multiQueue: true, queues: 0, vnetHdr: true);
        var a = k.OpenTunControl().Value;
        Assert.True(k.TunSetIff(a, "mq0", TapNoPi | TunFlags.MultiQueue).Ok);
        Assert.Equal(0x1902, (int)k.TunGetIff(a).Value.Flags);       // TAP, MULTI_QUEUE, PERSIST, NOFILTER
        var b = k.OpenTunControl().Value;
        Assert.True(k.TunSetIff(b, "mq0", TapNoPi | TunFlags.MultiQueue | TunFlags.VnetHdr).Ok);
        Assert.Equal(0x1902, (int)k.TunGetIff(b).Value.Flags);
    }

    [Fact(DisplayName = "linux-tun §1: an inherited tap fd reports QEMU's flags TAP, NO_PI, ONE_QUEUE, VNET_HDR (TUNGETIFF 0x7002)")]
    public void InheritedTapFlags()
    {
        var k = new SimKernel(1);
        var fd = k.AddTapFd("t0", vnetHdr: true);
        Assert.Equal(0x7002, (int)k.TunGetIff(fd).Value.Flags);
    }

    [Fact(DisplayName = "linux-tun §9 read 3: a buffer of exactly the header size gets the header and no frame (10)")]
    public void ReadHeaderSizedBuffer()
    {
        var k = UpTap("t0", out var fd);
        k.HostSend("t0", new byte[60], vnetHeader: new byte[] { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
        var buffer = new byte[10];
        Assert.Equal(10, k.Read(fd, buffer).Value);
        Assert.Equal(1, buffer[0]);
        Assert.Equal(Errno.EAGAIN, k.Read(fd, new byte[100]).Error);
    }

    [Fact(DisplayName = "linux-tun §9 write 6: a header in its own iovec reaches the host in front of the frame, byte for byte")]
    public void WrittenHeaderReachesTheHost()
    {
        var k = UpTap("t0", out var fd);
        byte[] header = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        byte[] frame = [.. Enumerable.Range(0, 60).Select(i => (byte)(100 + i))];
        Assert.Equal(70, k.Write(fd, header, frame).Value);
        Assert.Equal([[.. header, .. frame]], k.HostReceive("t0"));
    }

    [Fact(DisplayName = "FaultPlan: an EINTR fault on write fires (1/1) and nothing reaches the host")]
    public void WriteEintrFires()
    {
        var k = UpTap("t0", out var fd, new FaultPlan().With(FaultSite.WriteEintr, new Ratio(1, 1)));
        Assert.Equal(Errno.EINTR, k.Write(fd, new byte[10], new byte[60]).Error);
        Assert.Empty(k.HostReceive("t0"));
    }

    [Fact(DisplayName = "Host side: a queue index past the last queue drops the frame; a persistent tap with no queue drops it too")]
    public void HostSendWithoutQueue()
    {
        var k = UpTap("t0", out _);
        Assert.False(k.HostSend("t0", new byte[60], queueIndex: 1));
        Assert.Equal(1, k.Device("t0")!.HostDrops);
        var keep = k.AddForeignTap("keep0", multiQueue: false, queues: 0);
        Assert.False(k.HostSend("keep0", new byte[60]));
        Assert.Equal(1, keep.HostDrops);
    }

    [Fact(DisplayName = "Host side: frames sent without a queue choice reach every attached queue of a multiqueue tap")]
    public void HostSendSpreadsOverQueues()
    {
        var k = new SimKernel(1);
        var a = k.OpenTunControl().Value;
        var b = k.OpenTunControl().Value;
        Assert.True(k.TunSetIff(a, "mq0", TapNoPi | TunFlags.MultiQueue).Ok);
        Assert.True(k.TunSetIff(b, "mq0", TapNoPi | TunFlags.MultiQueue).Ok);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(k.HostSend("mq0", new byte[60]));
        }
        var pending = k.Device("mq0")!.Queues.Select(q => q.Pending).ToList();
        Assert.All(pending, p => Assert.True(p > 0, $"pending per queue: {string.Join(",", pending)}"));
        Assert.Equal(4, pending.Sum());
    }

    [Fact(DisplayName = "Host side: HostDrainAll takes every written frame (nothing left to receive) and frees the send buffer")]
    public void HostDrainAllTakesEverything()
    {
        var k = UpTap("t0", out var fd);
        Assert.True(k.TunSetSndBuf(fd, 100).Ok);
        Assert.Equal(70, k.Write(fd, new byte[10], new byte[60]).Value);
        k.HostDrainAll();
        Assert.Empty(k.HostReceive("t0"));
        Assert.Equal(90, k.Write(fd, new byte[10], new byte[80]).Value);
    }

    [Fact(DisplayName = "Host side: naming a device that does not exist is a programmer error that names it")]
    public void UnknownDevice()
    {
        var k = new SimKernel(1);
        var e = Assert.Throws<ArgumentException>(() => k.SetLinkUp("nope0", true));
        Assert.StartsWith("no simulated device 'nope0'", e.Message);
    }

    [Fact(DisplayName = "linux-tun §1.2: ip link del and close purge the queued frames, and they are counted as purged")]
    public void DeleteAndClosePurge()
    {
        var k = UpTap("t0", out var fd);
        var q = k.Device("t0")!.Queues[0];
        k.HostSend("t0", new byte[60]);
        k.HostSend("t0", new byte[60]);
        k.DeleteDevice("t0");
        Assert.Equal((0, 2L), (q.Pending, q.Purged));
        Assert.Equal(Errno.EBADFD, k.Read(fd, new byte[100]).Error);

        var k2 = UpTap("t1", out var fd2);
        var q2 = k2.Device("t1")!.Queues[0];
        k2.HostSend("t1", new byte[60]);
        Assert.True(k2.Close(fd2).Ok);
        Assert.Equal((0, 1L), (q2.Pending, q2.Purged));
    }
}
