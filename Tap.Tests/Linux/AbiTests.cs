using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tap.Core.Abi;
using Tap.Linux.Interop;
using Tmds.Linux;
using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary>Every number and layout our interop uses, compared with what the C headers say on this machine.</summary>
[Collection(LinuxCollection.Name)]
public sealed class AbiTests(ITestOutputHelper output)
{
    private const string Program = """
        #define _GNU_SOURCE
        #include <stdio.h>
        #include <stddef.h>
        #include <fcntl.h>
        #include <poll.h>
        #include <sched.h>
        #include <signal.h>
        #include <spawn.h>
        #include <sys/epoll.h>
        #include <sys/eventfd.h>
        #include <sys/socket.h>
        #include <sys/uio.h>
        #include <sys/wait.h>
        #include <sys/timerfd.h>
        #include <time.h>
        #include <net/if.h>
        #include <linux/if_tun.h>
        #include <linux/vhost.h>
        #define P(name, value) printf("%s %lld\n", name, (long long)(value))
        #define N(x) P(#x, x)
        int main(void) {
            N(TUNSETIFF); N(TUNGETFEATURES); N(TUNSETOFFLOAD); N(TUNGETIFF); N(TUNSETSNDBUF); N(TUNSETVNETHDRSZ);
            N(TUNSETQUEUE); N(TUNSETVNETLE); N(TUNSETVNETBE); N(TUNSETSTEERINGEBPF);
            P("sizeof(struct ifreq)", sizeof(struct ifreq)); P("offsetof(ifr_flags)", offsetof(struct ifreq, ifr_flags));
            N(IFNAMSIZ);
            N(IFF_TUN); N(IFF_TAP); N(IFF_NAPI); N(IFF_NAPI_FRAGS); N(IFF_NO_CARRIER); N(IFF_MULTI_QUEUE);
            N(IFF_ATTACH_QUEUE); N(IFF_DETACH_QUEUE); N(IFF_PERSIST); N(IFF_NO_PI); N(IFF_NOFILTER); N(IFF_ONE_QUEUE);
            N(IFF_VNET_HDR); N(IFF_TUN_EXCL);
            N(TUN_F_CSUM); N(TUN_F_TSO4); N(TUN_F_TSO6); N(TUN_F_TSO_ECN); N(TUN_F_UFO);
        #ifdef TUN_F_USO4
            N(TUN_F_USO4); N(TUN_F_USO6);
        #endif
            N(VHOST_SET_OWNER); N(VHOST_GET_FEATURES); N(VHOST_SET_VRING_CALL); N(VHOST_SET_VRING_ERR);
            N(VHOST_SET_VRING_BUSYLOOP_TIMEOUT); N(VHOST_NET_SET_BACKEND); P("VHOST_NET_F_VIRTIO_NET_HDR_MASK", 1ULL << VHOST_NET_F_VIRTIO_NET_HDR);
            P("sizeof(struct vhost_vring_file)", sizeof(struct vhost_vring_file));
            P("sizeof(struct vhost_vring_state)", sizeof(struct vhost_vring_state));
            N(O_RDONLY); N(O_RDWR); N(O_NONBLOCK); N(O_CLOEXEC); N(F_GETFD); N(F_SETFD); N(F_GETFL); N(F_SETFL); N(FD_CLOEXEC);
            N(EPOLL_CLOEXEC); N(EPOLL_CTL_ADD); N(EPOLL_CTL_DEL); N(EPOLL_CTL_MOD); N(EPOLLIN); N(EPOLLOUT); N(EPOLLERR); N(EPOLLHUP);
            P("sizeof(struct epoll_event)", sizeof(struct epoll_event)); P("offsetof(epoll_event.data)", offsetof(struct epoll_event, data));
            N(EFD_CLOEXEC); N(EFD_NONBLOCK); N(POLLIN);
            P("sizeof(struct pollfd)", sizeof(struct pollfd));
            P("offsetof(pollfd.events)", offsetof(struct pollfd, events));
            P("offsetof(pollfd.revents)", offsetof(struct pollfd, revents));
            N(AF_UNIX); N(SOCK_STREAM); N(SOCK_CLOEXEC); N(SOL_SOCKET); N(SCM_RIGHTS); N(MSG_CTRUNC); N(MSG_CMSG_CLOEXEC);
            P("sizeof(struct msghdr)", sizeof(struct msghdr)); P("sizeof(struct cmsghdr)", sizeof(struct cmsghdr));
            P("sizeof(struct iovec)", sizeof(struct iovec)); P("CMSG_LEN(0)", CMSG_LEN(0));
            P("offsetof(iovec.iov_len)", offsetof(struct iovec, iov_len));
            P("offsetof(msghdr.msg_namelen)", offsetof(struct msghdr, msg_namelen));
            P("offsetof(msghdr.msg_iov)", offsetof(struct msghdr, msg_iov));
            P("offsetof(msghdr.msg_iovlen)", offsetof(struct msghdr, msg_iovlen));
            P("offsetof(msghdr.msg_control)", offsetof(struct msghdr, msg_control));
            P("offsetof(msghdr.msg_controllen)", offsetof(struct msghdr, msg_controllen));
            P("offsetof(msghdr.msg_flags)", offsetof(struct msghdr, msg_flags));
            P("offsetof(cmsghdr.cmsg_level)", offsetof(struct cmsghdr, cmsg_level));
            P("offsetof(cmsghdr.cmsg_type)", offsetof(struct cmsghdr, cmsg_type));
            P("CMSG_ALIGN(20)", CMSG_ALIGN(20)); P("CMSG_SPACE(8 ints)", CMSG_SPACE(8 * sizeof(int)));
            N(WNOHANG); N(SIGKILL); N(SIGSTOP); N(SIGTERM); N(POSIX_SPAWN_SETSIGDEF); N(POSIX_SPAWN_SETSIGMASK); N(CLONE_NEWNET);
            P("sizeof(posix_spawn_file_actions_t)", sizeof(posix_spawn_file_actions_t));
            P("sizeof(posix_spawnattr_t)", sizeof(posix_spawnattr_t)); P("sizeof(sigset_t)", sizeof(sigset_t));
            N(CLOCK_MONOTONIC); N(TFD_NONBLOCK); N(TFD_CLOEXEC); N(TFD_TIMER_ABSTIME);
            P("sizeof(struct itimerspec)", sizeof(struct itimerspec)); P("sizeof(struct timespec)", sizeof(struct timespec));
            N(SIGINT); N(SIGHUP);
            P("sizeof(struct sigaction)", sizeof(struct sigaction));
            P("offsetof(sigaction.sa_flags)", offsetof(struct sigaction, sa_flags));
            return 0;
        }
        """;

    [SkippableFact(DisplayName = "ABI: ioctl numbers, IFF_/TUN_F_ bits, struct sizes and offsets match the C headers")]
    public void MatchesCHeaders()
    {
        LinuxTestGate.RequireCompileC(output);
        using var dir = new TempDir();
        var source = dir.Write("abi.c", Program, executable: false);
        var binary = dir.File_("abi");
        HostCommand.Run("gcc", "-o", binary, source);
        var c = HostCommand.Run(binary).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(l => l[..l.LastIndexOf(' ')], l => long.Parse(l[(l.LastIndexOf(' ') + 1)..]));

        var ours = new Dictionary<string, long>
        {
            ["TUNSETIFF"] = TunIoctl.TUNSETIFF, ["TUNGETFEATURES"] = TunIoctl.TUNGETFEATURES,
            ["TUNSETOFFLOAD"] = TunIoctl.TUNSETOFFLOAD, ["TUNGETIFF"] = TunIoctl.TUNGETIFF,
            ["TUNSETSNDBUF"] = TunIoctl.TUNSETSNDBUF, ["TUNSETVNETHDRSZ"] = TunIoctl.TUNSETVNETHDRSZ,
            ["TUNSETQUEUE"] = TunIoctl.TUNSETQUEUE, ["TUNSETVNETLE"] = TunIoctl.TUNSETVNETLE,
            ["TUNSETVNETBE"] = TunIoctl.TUNSETVNETBE, ["TUNSETSTEERINGEBPF"] = TunIoctl.TUNSETSTEERINGEBPF,
            ["sizeof(struct ifreq)"] = TunIoctl.IfReqBytes, ["offsetof(ifr_flags)"] = TunIoctl.IfReqFlagsOffset,
            ["IFNAMSIZ"] = TunIoctl.IfNameBytes,
            ["IFF_TUN"] = (long)TunFlags.Tun, ["IFF_TAP"] = (long)TunFlags.Tap, ["IFF_NAPI"] = (long)TunFlags.Napi,
            ["IFF_NAPI_FRAGS"] = (long)TunFlags.NapiFrags, ["IFF_NO_CARRIER"] = (long)TunFlags.NoCarrier,
            ["IFF_MULTI_QUEUE"] = (long)TunFlags.MultiQueue, ["IFF_ATTACH_QUEUE"] = (long)TunFlags.AttachQueue,
            ["IFF_DETACH_QUEUE"] = (long)TunFlags.DetachQueue, ["IFF_PERSIST"] = (long)TunFlags.Persist,
            ["IFF_NO_PI"] = (long)TunFlags.NoPi, ["IFF_NOFILTER"] = (long)TunFlags.NoFilter,
            ["IFF_ONE_QUEUE"] = (long)TunFlags.OneQueue, ["IFF_VNET_HDR"] = (long)TunFlags.VnetHdr,
            ["IFF_TUN_EXCL"] = (long)TunFlags.TunExcl,
            ["TUN_F_CSUM"] = (long)TunOffload.Csum, ["TUN_F_TSO4"] = (long)TunOffload.Tso4, ["TUN_F_TSO6"] = (long)TunOffload.Tso6,
            ["TUN_F_TSO_ECN"] = (long)TunOffload.TsoEcn, ["TUN_F_UFO"] = (long)TunOffload.Ufo,
            ["TUN_F_USO4"] = (long)TunOffload.Uso4, ["TUN_F_USO6"] = (long)TunOffload.Uso6,
            ["VHOST_SET_OWNER"] = VhostIoctl.VHOST_SET_OWNER, ["VHOST_GET_FEATURES"] = VhostIoctl.VHOST_GET_FEATURES,
            ["VHOST_SET_VRING_CALL"] = VhostIoctl.VHOST_SET_VRING_CALL, ["VHOST_SET_VRING_ERR"] = VhostIoctl.VHOST_SET_VRING_ERR,
            ["VHOST_SET_VRING_BUSYLOOP_TIMEOUT"] = VhostIoctl.VHOST_SET_VRING_BUSYLOOP_TIMEOUT,
            ["VHOST_NET_SET_BACKEND"] = VhostIoctl.VHOST_NET_SET_BACKEND,
            ["VHOST_NET_F_VIRTIO_NET_HDR_MASK"] = (long)VhostIoctl.VhostNetFVirtioNetHdr,
            ["sizeof(struct vhost_vring_file)"] = Unsafe.SizeOf<VhostIoctl.VringFile>(),
            ["sizeof(struct vhost_vring_state)"] = Unsafe.SizeOf<VhostIoctl.VringState>(),
            // From Tmds.LibC (its constants are properties, its structs have properties over private fields).
            ["O_RDONLY"] = LibC.O_RDONLY, ["O_RDWR"] = LibC.O_RDWR, ["O_NONBLOCK"] = LibC.O_NONBLOCK,
            ["O_CLOEXEC"] = LibC.O_CLOEXEC, ["F_GETFD"] = LibC.F_GETFD, ["F_SETFD"] = LibC.F_SETFD,
            ["F_GETFL"] = LibC.F_GETFL, ["F_SETFL"] = LibC.F_SETFL, ["FD_CLOEXEC"] = LibC.FD_CLOEXEC,
            ["EPOLL_CLOEXEC"] = LibC.EPOLL_CLOEXEC, ["EPOLL_CTL_ADD"] = LibC.EPOLL_CTL_ADD, ["EPOLL_CTL_DEL"] = LibC.EPOLL_CTL_DEL,
            ["EPOLL_CTL_MOD"] = LibC.EPOLL_CTL_MOD, ["EPOLLIN"] = LibC.EPOLLIN, ["EPOLLOUT"] = LibC.EPOLLOUT,
            ["EPOLLERR"] = LibC.EPOLLERR, ["EPOLLHUP"] = LibC.EPOLLHUP,
            ["sizeof(struct epoll_event)"] = Unsafe.SizeOf<epoll_event>(),
            ["offsetof(epoll_event.data)"] = Marshal.OffsetOf<epoll_event>(nameof(epoll_event.data)),
            ["EFD_CLOEXEC"] = LibC.EFD_CLOEXEC, ["EFD_NONBLOCK"] = LibC.EFD_NONBLOCK, ["POLLIN"] = LibC.POLLIN,
            ["sizeof(struct pollfd)"] = Unsafe.SizeOf<pollfd>(),
            ["offsetof(pollfd.events)"] = OffsetOf((ref pollfd p) => p.events = 1),
            ["offsetof(pollfd.revents)"] = OffsetOf((ref pollfd p) => p.revents = 1),
            ["AF_UNIX"] = LibC.AF_UNIX, ["SOCK_STREAM"] = LibC.SOCK_STREAM, ["SOCK_CLOEXEC"] = LibC.SOCK_CLOEXEC,
            ["SOL_SOCKET"] = LibC.SOL_SOCKET, ["SCM_RIGHTS"] = LibC.SCM_RIGHTS, ["MSG_CTRUNC"] = LibC.MSG_CTRUNC,
            ["MSG_CMSG_CLOEXEC"] = LibC.MSG_CMSG_CLOEXEC,
            ["sizeof(struct msghdr)"] = Unsafe.SizeOf<msghdr>(), ["sizeof(struct cmsghdr)"] = Unsafe.SizeOf<cmsghdr>(),
            ["sizeof(struct iovec)"] = Unsafe.SizeOf<iovec>(), ["CMSG_LEN(0)"] = LibC.CMSG_LEN(0),
            ["offsetof(iovec.iov_len)"] = OffsetOf((ref iovec v) => v.iov_len = 1),
            ["offsetof(msghdr.msg_namelen)"] = OffsetOf((ref msghdr m) => m.msg_namelen = 1),
            // The pointer fields cannot be set without unsafe code here; the fields around them pin them down.
            ["offsetof(msghdr.msg_iov)"] = OffsetOf((ref msghdr m) => m.msg_namelen = 1) + 8,
            ["offsetof(msghdr.msg_iovlen)"] = OffsetOf((ref msghdr m) => m.msg_iovlen = 1),
            ["offsetof(msghdr.msg_control)"] = OffsetOf((ref msghdr m) => m.msg_iovlen = 1) + 8,
            ["offsetof(msghdr.msg_controllen)"] = OffsetOf((ref msghdr m) => m.msg_controllen = 1),
            ["offsetof(msghdr.msg_flags)"] = OffsetOf((ref msghdr m) => m.msg_flags = 1),
            ["offsetof(cmsghdr.cmsg_level)"] = OffsetOf((ref cmsghdr h) => h.cmsg_level = 1),
            ["offsetof(cmsghdr.cmsg_type)"] = OffsetOf((ref cmsghdr h) => h.cmsg_type = 1),
            ["CMSG_ALIGN(20)"] = LibC.CMSG_ALIGN(20),
            ["CMSG_SPACE(8 ints)"] = LibC.CMSG_SPACE(Libc.MaxFdsPerMessage * sizeof(int)),
            ["SIGKILL"] = LibC.SIGKILL, ["SIGSTOP"] = LibC.SIGSTOP, ["SIGTERM"] = LibC.SIGTERM,
            ["CLONE_NEWNET"] = LibC.CLONE_NEWNET, ["sizeof(sigset_t)"] = Unsafe.SizeOf<sigset_t>(),
            // Ours (Libc.OwnImports.cs: Tmds.LibC has no waitpid and no posix_spawn).
            ["WNOHANG"] = Libc.WNOHANG,
            ["POSIX_SPAWN_SETSIGDEF"] = Libc.POSIX_SPAWN_SETSIGDEF, ["POSIX_SPAWN_SETSIGMASK"] = Libc.POSIX_SPAWN_SETSIGMASK,
            // Ours too (Tmds.LibC has no clock_gettime and no timerfd): the rate limits' clock and timer.
            ["CLOCK_MONOTONIC"] = Libc.CLOCK_MONOTONIC, ["TFD_NONBLOCK"] = Libc.TFD_NONBLOCK,
            ["TFD_CLOEXEC"] = Libc.TFD_CLOEXEC, ["TFD_TIMER_ABSTIME"] = Libc.TFD_TIMER_ABSTIME,
            ["sizeof(struct itimerspec)"] = Unsafe.SizeOf<Libc.ITimerSpec>(), ["sizeof(struct timespec)"] = Unsafe.SizeOf<timespec>(),
            // Ours too (Tmds.LibC has struct sigaction, not the function): signals inherited ignored, taken back.
            ["SIGINT"] = LibC.SIGINT, ["SIGHUP"] = LibC.SIGHUP, ["sizeof(struct sigaction)"] = Unsafe.SizeOf<sigaction>(),
            ["offsetof(sigaction.sa_flags)"] = OffsetOf((ref sigaction a) => a.sa_flags = 1),
        };

        foreach (var (name, value) in ours)
        {
            if (!c.TryGetValue(name, out long expected))
            {
                Assert.StartsWith("TUN_F_USO", name); // the 6.1 headers here predate USO (linux-tun.md §11.4)
                continue;
            }
            Assert.True(expected == value, $"{name}: C says {expected}, we use {value}");
        }
        // Opaque glibc types live in buffers we size; they must fit.
        Assert.InRange(c["sizeof(posix_spawn_file_actions_t)"], 1, Libc.SpawnFileActionsBytes);
        Assert.InRange(c["sizeof(posix_spawnattr_t)"], 1, Libc.SpawnAttrBytes);
        // The stack buffer recvmsg gets is sized by a constant: it must be CMSG_SPACE of the fds it makes room for.
        Assert.True(c["CMSG_SPACE(8 ints)"] == Libc.FdControlBytes,
            $"FdControlBytes {Libc.FdControlBytes}, C says {c["CMSG_SPACE(8 ints)"]}");
        Assert.Equal(8, Libc.MaxFdsPerMessage);
        output.WriteLine($"{ours.Count} values compared");
    }

    private delegate void Setter<T>(ref T value);

    /// <summary>Where a field lives, found by setting it through its property on a zeroed struct (Tmds.LibC's
    /// structs expose properties over private fields, which Marshal.OffsetOf cannot name).</summary>
    private static int OffsetOf<T>(Setter<T> set) where T : unmanaged
    {
        T value = default;
        set(ref value);
        return MemoryMarshal.AsBytes(new Span<T>(ref value)).IndexOfAnyExcept((byte)0);
    }
}
