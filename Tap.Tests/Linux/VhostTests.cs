using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Linux.Interop;
using Tmds.Linux;
using Xunit.Abstractions;

namespace Tap.Tests.Linux;

[Collection(LinuxCollection.Name)]
public sealed class VhostTests(ITestOutputHelper output)
{
    [SkippableFact(DisplayName = "vhost-net §9: /dev/vhost-net missing opens with ENOENT")]
    public void NoVhostDevice()
    {
        var kernel = RealKernel.Spawn(output);
        Skip.If(File.Exists("/dev/vhost-net"), "this machine has /dev/vhost-net; the test is for a kernel without it");
        kernel.OnHost(rig =>
        {
            Assert.Equal(Errno.ENOENT, rig.Os.OpenVhostNet().Error);
            Assert.Equal(0, rig.Os.OwnedFdCount);
        });
    }

    [SkippableTheory(DisplayName = "vhost-net §3.1/§9: init on a non-vhost fd fails at vhost_set_owner with ENOTTY and leaves no fd open")]
    [InlineData("eventfd")]
    [InlineData("/dev/null")]
    public void InitOnNonVhostFd(string kind)
    {
        RealKernel.Spawn(output).OnHost(rig =>
        {
            FdHandleOf(kind, out var handle);
            var fd = rig.Os.Adopt(handle);
            var result = rig.Os.VhostNetInit(fd, new Fd(987), tapHasVnetHdr: true, busyloopTimeoutUs: 50);
            Assert.Equal(VhostInitResult.Failure("vhost_set_owner failed: Inappropriate ioctl for device"), result);
            rig.Os.VhostNetCleanup(fd);
            Assert.True(rig.Os.Close(fd).Ok);
            Assert.Equal(0, rig.Os.OwnedFdCount);
        });
    }

    [SkippableFact(DisplayName = "vhost init on an fd that is not open names EBADF at the first step")]
    public void InitOnClosedFd()
    {
        LinuxTestGate.RequireSpawn(output);
        using var rig = new LinuxHost();
        Assert.Equal(VhostInitResult.Failure("vhost_set_owner failed: Bad file descriptor"),
            rig.Os.VhostNetInit(new Fd(987), new Fd(986), true, 0));
    }

    [SkippableTheory(DisplayName = "R25a/R25b on Linux: VHOST_NET_SET_BACKEND on a non-vhost fd is ENOTTY, on a closed fd EBADF; no fd left open")]
    [InlineData("eventfd")]
    [InlineData("/dev/null")]
    public void StartAndStopOnNonVhostFd(string kind)
    {
        LinuxTestGate.RequireSpawn(output);
        var before = FdCensus.Take();
        using (var rig = new LinuxHost())
        {
            FdHandleOf(kind, out var handle);
            var fd = rig.Os.Adopt(handle);
            FdHandleOf("/dev/null", out var tapHandle);
            var tap = rig.Os.Adopt(tapHandle);
            Assert.Equal(Errno.ENOTTY, rig.Os.VhostNetStart(fd, tap).Error);
            Assert.Equal(Errno.ENOTTY, rig.Os.VhostNetStop(fd).Error);
            Assert.Equal(Errno.EBADF, rig.Os.VhostNetStart(new Fd(987), tap).Error);
            Assert.Equal(Errno.EBADF, rig.Os.VhostNetStart(fd, new Fd(987)).Error);
            Assert.Equal(Errno.EBADF, rig.Os.VhostNetStop(new Fd(987)).Error);
            Assert.True(rig.Os.Close(fd).Ok);
            Assert.True(rig.Os.Close(tap).Ok);
            Assert.Equal(0, rig.Os.OwnedFdCount);
        }
        FdCensus.AssertNoLeak(before);
    }

    private static void FdHandleOf(string kind, out Tap.Linux.FdHandle handle)
    {
        var error = kind == "eventfd"
            ? Libc.EventFd(0, LibC.EFD_CLOEXEC, out handle)
            : Libc.Open(kind, LibC.O_RDWR | LibC.O_CLOEXEC, out handle);
        Assert.Equal(Errno.None, error);
    }
}
