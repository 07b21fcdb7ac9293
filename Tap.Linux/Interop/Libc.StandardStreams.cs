using Tap.Core.Abi;
using Tmds.Linux;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    /// <summary>
    /// If <paramref name="fd"/> is closed, opens /dev/null read-write on exactly that number (no O_CLOEXEC: it stands
    /// for a standard stream, which children inherit). <paramref name="opened"/> says whether it did.
    /// </summary>
    internal static Errno OpenNullIfClosed(int fd, out bool opened)
    {
        opened = false;
        if (LibC.fcntl(fd, LibC.F_GETFD, 0) != -1)
        {
            return Errno.None;
        }
        var probe = LastErrno();
        if (probe != Errno.EBADF)
        {
            return probe;
        }
        var error = Open("/dev/null", LibC.O_RDWR, out var handle);
        if (error != Errno.None)
        {
            return error;
        }
        using (handle)
        {
            using var got = new Borrowed(handle);
            // With every lower number open, open(2) returns this one; dup2 covers any other case.
            if (got.Fd == fd)
            {
                handle.SetHandleAsInvalid(); // the number is the stream now: not closed with the handle
                opened = true;
                return Errno.None;
            }
            if (LibC.dup2(got.Fd, fd) < 0)
            {
                return LastErrno();
            }
        }
        opened = true;
        return Errno.None;
    }
}
