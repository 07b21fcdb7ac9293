using System.Text;
using Tap.Core.Abi;
using Tmds.Linux;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    /// <summary>Raw close of a number. Used only by <see cref="FdHandle"/> release, for fds received from the
    /// kernel that must be dropped at once, and for the shared table's copies of the loop's fds (OwnFdTable).
    /// Never retried: on Linux the fd is released even when close fails.</summary>
    internal static int Close(int fd) => LibC.close(fd);

    /// <summary>fcntl(2) with an int argument; returns the kernel's result (flags, or -1 with errno set).</summary>
    internal static int Fcntl(FdHandle fd, int cmd, int arg)
    {
        using var n = new Borrowed(fd);
        return LibC.fcntl(n.Fd, cmd, arg);
    }

    /// <summary>
    /// fcntl on a bare number: only to ask whether a number the core names is open at all (adoption).
    /// </summary>
    internal static int FcntlNumber(int fd, int cmd, int arg) => LibC.fcntl(fd, cmd, arg);

    /// <summary>
    /// Whether <paramref name="fd"/> is an open /dev/net/tun (character device 10:200, the kernel's TUN_MINOR):
    /// the uring loop posts reads ahead only on taps, never on a file whose bytes its handler reads itself.
    /// </summary>
    internal static unsafe bool IsTunDevice(FdHandle fd)
    {
        using var n = new Borrowed(fd);
        stat st;
        if (LibC.fstat(n.Fd, &st) != 0 || (st.st_mode & LibC.S_IFMT) != LibC.S_IFCHR)
        {
            return false;
        }
        ulong dev = st.st_rdev;
        uint major = (uint)(((dev >> 32) & 0xFFFFF000) | ((dev >> 8) & 0xFFF));
        uint minor = (uint)(((dev >> 12) & 0xFFFFFF00) | (dev & 0xFF));
        return major == 10 && minor == 200;
    }

    /// <summary>open(2), EINTR retried (opening a character device may sleep and be interrupted).</summary>
    internal static unsafe Errno Open(string path, int flags, out FdHandle handle)
    {
        // NUL-terminated UTF-8, as the generated string marshaller made it; setup path, not per packet.
        byte[] utf8 = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, utf8);
        fixed (byte* p = utf8)
        {
            while (true)
            {
                int fd = LibC.open(p, flags, default);
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
    }

    /// <summary>Wraps a raw result of a call that returns a new fd.</summary>
    private static Errno NewHandle(int fd, out FdHandle handle)
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
