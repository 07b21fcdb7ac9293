using System.Runtime.InteropServices;
using Tap.Core.Abi;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    internal const int AF_UNIX = 1;
    internal const int SOCK_STREAM = 1;
    internal const int SOCK_CLOEXEC = O_CLOEXEC;
    internal const int SOL_SOCKET = 1;
    internal const int SCM_RIGHTS = 1;
    internal const int MSG_CTRUNC = 0x8;
    internal const int MSG_CMSG_CLOEXEC = 0x40000000;

    /// <summary>How many fds one receive makes room for. One is expected; room for more lets extras arrive (and be
    /// closed by us) instead of being cut off with MSG_CTRUNC, so we can tell "several" from "one".</summary>
    internal const int MaxFdsPerMessage = 8;

    /// <summary>sizeof(struct msghdr) and sizeof(struct cmsghdr), for the ABI test.</summary>
    internal static unsafe int MsgHdrBytes => sizeof(MsgHdr);
    internal static unsafe int CMsgHdrBytes => sizeof(CMsgHdr);

    /// <summary>struct msghdr (x86_64: 56 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct MsgHdr
    {
        public void* Name;
        public uint NameLen;
        public IoVec* Iov;
        public nuint IovLen;
        public void* Control;
        public nuint ControlLen;
        public int Flags;
    }

    /// <summary>struct cmsghdr (x86_64: 16 bytes; the data follows, aligned to 8).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct CMsgHdr
    {
        public nuint Len;
        public int Level;
        public int Type;
    }

    /// <summary>CMSG_ALIGN: control messages are aligned to sizeof(size_t).</summary>
    private static nuint CMsgAlign(nuint length) => (length + 7) & ~(nuint)7;

    [LibraryImport(Name, EntryPoint = "socketpair", SetLastError = true)]
    private static unsafe partial int SocketPairRaw(int domain, int type, int protocol, int* fds);

    [LibraryImport(Name, EntryPoint = "recvmsg", SetLastError = true)]
    private static unsafe partial nint RecvMsgRaw(FdHandle socket, MsgHdr* message, int flags);

    /// <summary>socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC): both ends close-on-exec (D-10).</summary>
    internal static unsafe Errno SocketPair(out FdHandle first, out FdHandle second)
    {
        int* fds = stackalloc int[2];
        if (SocketPairRaw(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
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
    internal static unsafe Errno RecvWithFds(FdHandle socket, Span<byte> data, List<FdHandle> fds, out int bytes, out bool truncated)
    {
        const int controlBytes = 16 + MaxFdsPerMessage * sizeof(int); // CMSG_SPACE(8 ints) = 48
        ulong* control = stackalloc ulong[controlBytes / sizeof(ulong)]; // ulong: cmsghdr alignment
        fixed (byte* p = data)
        {
            var iov = new IoVec { Base = p, Length = (nuint)data.Length };
            var msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = controlBytes };
            nint n;
            while (true)
            {
                n = RecvMsgRaw(socket, &msg, MSG_CMSG_CLOEXEC);
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
            truncated = (msg.Flags & MSG_CTRUNC) != 0;
            // Walk the control area as CMSG_FIRSTHDR/CMSG_NXTHDR do, trusting no length beyond what was filled.
            byte* area = (byte*)control;
            nuint filled = Math.Min(msg.ControlLen, (nuint)controlBytes);
            nuint offset = 0;
            nuint header = (nuint)sizeof(CMsgHdr);
            while (offset + header <= filled)
            {
                var cmsg = (CMsgHdr*)(area + offset);
                if (cmsg->Len < header || offset + cmsg->Len > filled)
                {
                    break;
                }
                if (cmsg->Level == SOL_SOCKET && cmsg->Type == SCM_RIGHTS)
                {
                    int count = (int)((cmsg->Len - header) / sizeof(int));
                    int* received = (int*)(area + offset + header);
                    for (int i = 0; i < count; i++)
                    {
                        fds.Add(new FdHandle(received[i]));
                    }
                }
                offset += CMsgAlign(cmsg->Len);
            }
            return Errno.None;
        }
    }
}
