using System.Runtime.InteropServices;
using Tap.Core.Abi;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    internal const int EPOLL_CLOEXEC = O_CLOEXEC;
    internal const int EPOLL_CTL_ADD = 1;
    internal const int EPOLL_CTL_DEL = 2;
    internal const int EPOLL_CTL_MOD = 3;
    internal const uint EPOLLIN = 0x001;
    internal const uint EPOLLOUT = 0x004;
    internal const uint EPOLLERR = 0x008;
    internal const uint EPOLLHUP = 0x010;

    /// <summary>struct epoll_event. On x86_64 the kernel declares it packed: 12 bytes, data at offset 4
    /// (checked against the C header in AbiTests).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    internal struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    [LibraryImport(Name, EntryPoint = "epoll_create1", SetLastError = true)]
    internal static partial int EpollCreate1(int flags);

    [LibraryImport(Name, EntryPoint = "epoll_ctl", SetLastError = true)]
    private static unsafe partial int EpollCtlRaw(FdHandle epfd, int op, FdHandle fd, EpollEvent* ev);

    [LibraryImport(Name, EntryPoint = "epoll_wait", SetLastError = true)]
    private static unsafe partial int EpollWaitRaw(FdHandle epfd, EpollEvent* events, int maxEvents, int timeoutMs);

    internal static unsafe Errno EpollCtl(FdHandle epfd, int op, FdHandle fd, uint events, ulong data)
    {
        var ev = new EpollEvent { Events = events, Data = data };
        return EpollCtlRaw(epfd, op, fd, &ev) == 0 ? Errno.None : LastErrno();
    }

    /// <summary>epoll_wait into <paramref name="events"/>; EINTR is returned (the loop decides), not retried.</summary>
    internal static unsafe Errno EpollWait(FdHandle epfd, Span<EpollEvent> events, int timeoutMs, out int count)
    {
        fixed (EpollEvent* p = events)
        {
            count = EpollWaitRaw(epfd, p, events.Length, timeoutMs);
        }
        if (count >= 0)
        {
            return Errno.None;
        }
        count = 0;
        return LastErrno();
    }
}
