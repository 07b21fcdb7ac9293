using System.Runtime.CompilerServices;
using Tap.Core.Abi;
using Tmds.Linux;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    /// <summary>epoll_create1(EPOLL_CLOEXEC).</summary>
    internal static Errno EpollCreate(out FdHandle handle) =>
        NewHandle(LibC.epoll_create1(LibC.EPOLL_CLOEXEC), out handle);

    /// <summary>epoll_ctl with <paramref name="events"/> (LibC.EPOLL*) and <paramref name="data"/> as the
    /// token.</summary>
    internal static unsafe Errno EpollCtl(FdHandle epfd, int op, FdHandle fd, int events, ulong data)
    {
        using var e = new Borrowed(epfd);
        using var f = new Borrowed(fd);
        var ev = new epoll_event { events = events };
        ev.data.u64 = data;
        return LibC.epoll_ctl(e.Fd, op, f.Fd, &ev) == 0 ? Errno.None : LastErrno();
    }

    /// <summary>epoll_wait into <paramref name="events"/>; EINTR is returned (the loop decides), not retried.</summary>
    internal static unsafe Errno EpollWait(FdHandle epfd, Span<epoll_event> events, int timeoutMs, out int count)
    {
        using var e = new Borrowed(epfd);
        fixed (epoll_event* p = events)
        {
            count = LibC.epoll_wait(e.Fd, p, events.Length, timeoutMs);
        }
        if (count >= 0)
        {
            return Errno.None;
        }
        count = 0;
        return LastErrno();
    }

    /// <summary>epoll_wait on a number its owner keeps open for longer than the call (EpollLoop's reference), through
    /// our import without SetLastError: errno is read only on failure, straight after the call.</summary>
    [SkipLocalsInit]
    internal static unsafe Errno EpollWaitOwned(int epfd, Span<epoll_event> events, int timeoutMs, out int count)
    {
        fixed (epoll_event* p = events)
        {
            count = EpollWaitRaw(epfd, p, events.Length, timeoutMs);
        }
        if (count >= 0)
        {
            return Errno.None;
        }
        var error = SystemErrno();
        count = 0;
        return error;
    }
}
