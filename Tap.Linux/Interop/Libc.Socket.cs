using Tap.Core.Abi;
using Tmds.Linux;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    /// <summary>How many fds one receive makes room for. One is expected; room for more lets extras arrive (and be
    /// closed by us) instead of being cut off with MSG_CTRUNC, so we can tell "several" from "one".</summary>
    internal const int MaxFdsPerMessage = 8;

    /// <summary>CMSG_SPACE(MaxFdsPerMessage ints) on x86_64: a 16-byte cmsghdr and 32 bytes of fds (AbiTests checks
    /// it against the C macro; a constant because it sizes a stack buffer).</summary>
    internal const int FdControlBytes = 48;

    /// <summary>socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC): both ends close-on-exec (D-10).</summary>
    internal static unsafe Errno SocketPair(out FdHandle first, out FdHandle second)
    {
        int* fds = stackalloc int[2];
        if (LibC.socketpair(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0, fds) != 0)
        {
            first = new FdHandle();
            second = new FdHandle();
            return LastErrno();
        }
        first = new FdHandle(fds[0]);
        second = new FdHandle(fds[1]);
        return Errno.None;
    }

    /// <summary>
    /// One recvmsg of up to <paramref name="data"/>.Length bytes with room for <see cref="MaxFdsPerMessage"/>
    /// SCM_RIGHTS fds, received close-on-exec (MSG_CMSG_CLOEXEC), EINTR retried. Every fd found in a well-formed
    /// SOL_SOCKET/SCM_RIGHTS message lands in <paramref name="fds"/> (the caller owns and must close them);
    /// <paramref name="truncated"/> reports MSG_CTRUNC (fds may have been lost on the way).
    /// </summary>
    internal static unsafe Errno RecvWithFds(
        FdHandle socket, Span<byte> data, List<FdHandle> fds, out int bytes, out bool truncated)
    {
        using var s = new Borrowed(socket);
        ulong* control = stackalloc ulong[FdControlBytes / sizeof(ulong)]; // ulong: cmsghdr alignment
        fixed (byte* p = data)
        {
            var iov = new iovec { iov_base = p, iov_len = data.Length };
            var msg = new msghdr
            {
                msg_iov = &iov, msg_iovlen = 1, msg_control = control, msg_controllen = FdControlBytes,
            };
            long n;
            while (true)
            {
                n = LibC.recvmsg(s.Fd, &msg, LibC.MSG_CMSG_CLOEXEC);
                if (n >= 0)
                {
                    break;
                }
                var error = LastErrno();
                if (error != Errno.EINTR)
                {
                    bytes = 0;
                    truncated = false;
                    return error;
                }
            }

            bytes = (int)n;
            truncated = (msg.msg_flags & LibC.MSG_CTRUNC) != 0;
            // Walk the control area as CMSG_FIRSTHDR/CMSG_NXTHDR do, trusting no length beyond what was filled
            // (Tmds.LibC's CMSG_FIRSTHDR does not check the first header's length against the area).
            byte* area = (byte*)control;
            uint filled = Math.Min((uint)msg.msg_controllen, FdControlBytes);
            uint offset = 0;
            uint header = (uint)LibC.CMSG_LEN(0);
            while (offset + header <= filled)
            {
                var cmsg = (cmsghdr*)(area + offset);
                uint length = (uint)cmsg->cmsg_len;
                if (length < header || offset + length > filled)
                {
                    break;
                }
                if (cmsg->cmsg_level == LibC.SOL_SOCKET && cmsg->cmsg_type == LibC.SCM_RIGHTS)
                {
                    int count = (int)((length - header) / sizeof(int));
                    int* received = (int*)LibC.CMSG_DATA(cmsg);
                    for (int i = 0; i < count; i++)
                    {
                        fds.Add(new FdHandle(received[i]));
                    }
                }
                offset += (uint)LibC.CMSG_ALIGN((int)length);
            }
            return Errno.None;
        }
    }
}
