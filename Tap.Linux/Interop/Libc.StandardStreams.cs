using Tap.Core.Abi;
using Tmds.Linux;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    /// <summary>
    /// Opens /dev/null read-write on exactly <paramref name="fd"/>, a number the caller found closed (no O_CLOEXEC: it
    /// stands for a standard stream, which children inherit).
    /// </summary>
    internal static Errno OpenNullAt(int fd)
    {
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
                return Errno.None;
            }
            return LibC.dup2(got.Fd, fd) < 0 ? LastErrno() : Errno.None;
        }
    }
}
