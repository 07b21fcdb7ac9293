using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Linux;
using Tap.Linux.Interop;
using Tmds.Linux;
using Xunit.Abstractions;

namespace Tap.Tests.Linux;

[Collection(LinuxCollection.Name)]
public sealed class TunIoctlTests(ITestOutputHelper output)
{
    private const TunFlags QemuFlags = TunFlags.Tap | TunFlags.NoPi | TunFlags.OneQueue | TunFlags.VnetHdr;

    [SkippableFact(DisplayName = "linux-tun §1/§12: tap%d opens as tap0; TUNGETFEATURES offers TAP, NO_PI, VNET_HDR, MULTI_QUEUE; TUNGETIFF reads back name and flags")]
    public void OpenByTemplate()
    {
        RealKernel.Tun(output).InNamespace((ns, rig) =>
        {
            var fd = rig.Os.OpenTunControl();
            Assert.True(fd.Ok);
            Assert.Equal(LibC.FD_CLOEXEC, FdFlags(fd.Value) & LibC.FD_CLOEXEC);

            var features = rig.Os.TunGetFeatures(fd.Value);
            Assert.True(features.Ok);
            var wanted = TunFlags.Tap | TunFlags.NoPi | TunFlags.VnetHdr | TunFlags.MultiQueue | TunFlags.OneQueue;
            Assert.Equal(wanted, features.Value & wanted);

            var name = rig.Os.TunSetIff(fd.Value, "tap%d", QemuFlags);
            Assert.Equal("tap0", name.Value);

            var info = rig.Os.TunGetIff(fd.Value);
            Assert.Equal("tap0", info.Value.Name);
            // NO_PI reads back as NOFILTER (same bit); ONE_QUEUE is not reported by this kernel.
            Assert.Equal(TunFlags.Tap | TunFlags.NoFilter | TunFlags.VnetHdr, info.Value.Flags & (TunFlags.Tap | TunFlags.NoFilter | TunFlags.VnetHdr | TunFlags.MultiQueue));
            Assert.Contains("tap0", ns.Ip("link", "show", "tap0"));

            // The second template open takes the next index; a name of 16 bytes is cut to 15 (linux-tun §1.2).
            var (_, second) = rig.OpenTap();
            Assert.Equal("tap1", second);
            var (_, longName) = rig.OpenTap("abcdefghijklmnop");
            Assert.Equal("abcdefghijklmno", longName);
            Assert.True(rig.Os.Close(fd.Value).Ok);
        });
    }

    [SkippableFact(DisplayName = "linux-tun §10/§12: before TUNSETIFF, per-device ioctls fail EBADFD and TUNSETQUEUE EINVAL; a second TUNSETIFF is EEXIST")]
    public void UnattachedFd()
    {
        RealKernel.Tun(output).InNamespace((ns, rig) =>
        {
            var fd = rig.Os.OpenTunControl().Value;
            Assert.Equal(Errno.EBADFD, rig.Os.TunGetIff(fd).Error);
            Assert.Equal(Errno.EBADFD, rig.Os.TunSetVnetHdrSize(fd, 10).Error);
            Assert.Equal(Errno.EBADFD, rig.Os.TunSetOffload(fd, TunOffload.None).Error);
            Assert.Equal(Errno.EINVAL, rig.Os.TunSetQueue(fd, TunFlags.AttachQueue).Error);
            Assert.True(rig.Os.TunSetIff(fd, "tap%d", QemuFlags).Ok);
            Assert.Equal(Errno.EEXIST, rig.Os.TunSetIff(fd, "tap%d", QemuFlags).Error);
            Assert.Equal(Errno.EINVAL, rig.Os.TunSetIff(rig.Os.OpenTunControl().Value, "bad name", QemuFlags).Error);
        });
    }

    [SkippableFact(DisplayName = "linux-tun §5/§6/§7/§8.2: vnet header size >= 10, sndbuf > 0, VNETLE on, steering -1 accepted; the rest refused as the kernel does")]
    public void DeviceSettings()
    {
        RealKernel.Tun(output).InNamespace((ns, rig) =>
        {
            var (fd, _) = rig.OpenTap();
            foreach (int ok in new[] { 10, 12, 20, 4096, int.MaxValue })
            {
                Assert.Equal(Errno.None, rig.Os.TunSetVnetHdrSize(fd, ok).Error);
            }
            foreach (int bad in new[] { 9, 0, -1 })
            {
                Assert.Equal(Errno.EINVAL, rig.Os.TunSetVnetHdrSize(fd, bad).Error);
            }

            Assert.Equal(Errno.None, rig.Os.TunSetSndBuf(fd, int.MaxValue).Error);
            Assert.Equal(Errno.None, rig.Os.TunSetSndBuf(fd, 65536).Error);
            Assert.Equal(Errno.EINVAL, rig.Os.TunSetSndBuf(fd, 0).Error);
            Assert.Equal(Errno.EINVAL, rig.Os.TunSetSndBuf(fd, -1).Error);

            Assert.Equal(Errno.None, rig.Os.TunSetVnetLe(fd, true).Error);
            Assert.Equal(Errno.None, rig.Os.TunSetVnetLe(fd, false).Error);
            // Needs CONFIG_TUN_VNET_CROSS_LE, which this host's kernel lacks (EINVAL); either answer is the kernel's.
            var be = rig.Os.TunSetVnetBe(fd, true).Error;
            Assert.True(be is Errno.None or Errno.EINVAL, be.ToString());

            Assert.Equal(Errno.None, rig.Os.TunSetSteeringEbpf(fd, -1).Error);
            Assert.Equal(Errno.EBADF, rig.Os.TunSetSteeringEbpf(fd, 9999).Error);
        });
    }

    [SkippableFact(DisplayName = "linux-tun §4/§12: TUNSETOFFLOAD accepts and refuses exactly the observed masks")]
    public void Offloads()
    {
        var kernel = RealKernel.Tun(output);
        const TunOffload csum = TunOffload.Csum;
        var accepted = new[]
        {
            TunOffload.None, csum, csum | TunOffload.Tso4, csum | TunOffload.Tso4 | TunOffload.Tso6 | TunOffload.TsoEcn,
            csum | TunOffload.Ufo, csum | TunOffload.Uso4 | TunOffload.Uso6, (TunOffload)0x7f,
        };
        var refused = new[]
        {
            TunOffload.Tso4, csum | TunOffload.TsoEcn, TunOffload.Ufo, csum | TunOffload.Uso4, csum | TunOffload.Uso6,
            TunOffload.Uso4 | TunOffload.Uso6, (TunOffload)0x200, (TunOffload)0x201,
        };
        kernel.InNamespace((ns, rig) =>
        {
            var (fd, _) = rig.OpenTap();
            foreach (var mask in accepted)
            {
                Assert.True(rig.Os.TunSetOffload(fd, mask).Ok, $"0x{(int)mask:x} should be accepted");
            }
            foreach (var mask in refused)
            {
                Assert.Equal(Errno.EINVAL, rig.Os.TunSetOffload(fd, mask).Error);
            }
        });
    }

    [SkippableFact(DisplayName = "linux-tun §8.1: TUNSETQUEUE detaches and re-attaches a multiqueue queue; a repeat or a single-queue device is EINVAL")]
    public void QueueAttachDetach()
    {
        RealKernel.Tun(output).InNamespace((ns, rig) =>
        {
            var mq = QemuFlags | TunFlags.MultiQueue;
            var (q0, name) = rig.OpenTap("mq%d", mq);
            var (q1, same) = rig.OpenTap(name, mq);
            Assert.Equal(name, same);
            Assert.True(rig.Os.TunSetQueue(q1, TunFlags.DetachQueue).Ok);
            Assert.True(rig.Os.TunGetIff(q1).Value.Flags.HasFlag(TunFlags.DetachQueue));
            Assert.Equal(Errno.EINVAL, rig.Os.TunSetQueue(q1, TunFlags.DetachQueue).Error);
            Assert.True(rig.Os.TunSetQueue(q1, TunFlags.AttachQueue).Ok);
            Assert.Equal(Errno.EINVAL, rig.Os.TunSetQueue(q0, TunFlags.AttachQueue).Error);

            var (single, _) = rig.OpenTap();
            Assert.Equal(Errno.EINVAL, rig.Os.TunSetQueue(single, TunFlags.DetachQueue).Error);
        });
    }

    [SkippableFact(DisplayName = "linux-tun §9: write while the link is down is EIO; a non-blocking read of an empty queue is EAGAIN")]
    public void DownAndEmpty()
    {
        RealKernel.Tun(output).InNamespace((ns, rig) =>
        {
            var (fd, _) = rig.OpenTap();
            Assert.True(rig.Os.SetNonBlocking(fd).Ok);
            Assert.Equal(LibC.O_NONBLOCK, StatusFlags(fd) & LibC.O_NONBLOCK);
            var frame = Frames.ArpRequest(Frames.PeerMac, Frames.PeerIp, Frames.TapIp);
            Assert.Equal(Errno.EIO, rig.Os.Write(fd, new byte[VirtioNetHeader.Size], frame).Error);
            Assert.Equal(Errno.EAGAIN, rig.Os.Read(fd, new byte[NetLimits.NetBufSizeBytes]).Error);
            // Runts are refused before the link state matters (linux-tun §9 writes 3).
            Assert.Equal(Errno.EINVAL, rig.Os.Write(fd, new byte[VirtioNetHeader.Size], new byte[13]).Error);
        });
    }

    [SkippableFact(DisplayName = "fd table: a number never opened is EBADF everywhere; an inherited open fd is adopted, owned and closed")]
    public void FdTable()
    {
        RealKernel.Tun(output).OnHost(rig =>
        {
            var missing = new Fd(987);
            Assert.Equal(Errno.EBADF, rig.Os.TunGetFeatures(missing).Error);
            Assert.Equal(Errno.EBADF, rig.Os.SetNonBlocking(missing).Error);
            Assert.Equal(Errno.EBADF, rig.Os.Read(missing, new byte[16]).Error);
            Assert.Equal(Errno.EBADF, rig.Os.Write(missing, default, new byte[16]).Error);
            Assert.Equal(Errno.EBADF, rig.Os.Close(missing).Error);
            Assert.Equal(Errno.ENOENT, rig.Os.TakeNamedFd("tap0").Error);

            // "Inherited": a raw fd whose only owner from now on is its number, like fd=3 from a parent.
            Assert.Equal(Errno.None, Libc.Open("/dev/net/tun", LibC.O_RDWR, out var raw));
            int number = raw.Number;
            raw.SetHandleAsInvalid();
            var inherited = new Fd(number);
            Assert.True(rig.Os.TunGetFeatures(inherited).Ok);
            Assert.Equal(1, rig.Os.OwnedFdCount);
            Assert.Equal(LibC.FD_CLOEXEC, FdFlags(inherited) & LibC.FD_CLOEXEC);
            Assert.True(rig.Os.Close(inherited).Ok);
            Assert.NotEqual("/dev/net/tun", FdCensus.TargetOf(number));
            Assert.Equal(0, rig.Os.OwnedFdCount);
        });
    }

    private static int FdFlags(Fd fd) => Libc.FcntlNumber(fd.Number, LibC.F_GETFD, 0);

    private static int StatusFlags(Fd fd) => Libc.FcntlNumber(fd.Number, LibC.F_GETFL, 0);
}
