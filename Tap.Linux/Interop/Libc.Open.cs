using System.Runtime.InteropServices;
using Tap.Core.Abi;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    internal const int O_RDONLY = 0x0;
    internal const int O_RDWR = 0x2;
    internal const int O_NONBLOCK = 0x800;
    internal const int O_CLOEXEC = 0x80000;

    internal const int F_GETFD = 1;
    internal const int F_SETFD = 2;
    internal const int F_GETFL = 3;
    internal const int F_SETFL = 4;
    internal const int FD_CLOEXEC = 1;

    [LibraryImport(Name, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenRaw(string path, int flags);

    /// <summary>Raw close of a number. Used only by <see cref="FdHandle"/> release and for fds received from the
    /// kernel that must be dropped at once. Never retried: on Linux the fd is released even when close fails.</summary>
    [LibraryImport(Name, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport(Name, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int Fcntl(FdHandle fd, int cmd, int arg);

    /// <summary>fcntl on a bare number: only to ask whether a number the core names is open at all (adoption).</summary>
    [LibraryImport(Name, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int FcntlNumber(int fd, int cmd, int arg);

    /// <summary>open(2), EINTR retried (opening a character device may sleep and be interrupted).</summary>
    internal static Errno Open(string path, int flags, out FdHandle handle)
    {
        while (true)
        {
            int fd = OpenRaw(path, flags);
            if (fd >= 0)
            {
                handle = new FdHandle(fd);
                return Errno.None;
            }
            var error = LastErrno();
            if (error != Errno.EINTR)
            {
                handle = new FdHandle();
                return error;
            }
        }
    }

    /// <summary>Wraps a raw result of a call that returns a new fd.</summary>
    internal static Errno NewHandle(int fd, out FdHandle handle)
    {
        if (fd >= 0)
        {
            handle = new FdHandle(fd);
            return Errno.None;
        }
        handle = new FdHandle();
        return LastErrno();
    }
}
