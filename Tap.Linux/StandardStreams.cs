using Tap.Linux.Interop;
using Tmds.Linux;

namespace Tap.Linux;

/// <summary>
/// What became of fds 0, 1 and 2 when tapnet was started with some of them closed (a supervisor, or
/// <c>tapnet ... &gt;&amp;- 2&gt;&amp;-</c>). The lowest free number goes to the next open(2): QEMU 7.2's tap then
/// lands on fd 1 (checked in /proc), where anything written to stdout would go into the tap; the .NET runtime's own
/// start-up takes them for its internal pipes before Main runs, so Console would write into the runtime; and the
/// console throws on a write to a number still closed, which killed tapnet before its clean-up (exit 134, no down
/// script). More in docs/scripts-and-helpers.md#closed-stdio (observed behaviour of both).
/// </summary>
public static class StandardStreams
{
    /// <summary>
    /// Call first in Main. Each of 0, 1, 2 still closed gets /dev/null, so nothing tapnet opens takes those numbers.
    /// Returns whether stdout and stderr are the streams tapnet was given: a number that carries FD_CLOEXEC was not
    /// inherited through exec (exec closes such fds), so the runtime opened it after the stream had been closed, and
    /// nothing may be written to it.
    /// </summary>
    public static (bool Stdout, bool Stderr) Prepare()
    {
        var given = new bool[3];
        for (int fd = 0; fd <= 2; fd++)
        {
            int flags = Libc.FcntlNumber(fd, LibC.F_GETFD, 0);
            if (flags >= 0)
            {
                given[fd] = (flags & LibC.FD_CLOEXEC) == 0;
                continue;
            }
            // Closed: /dev/null takes the number. Failing that (no /dev/null in a bare chroot) it stays closed and
            // is not written to either.
            given[fd] = Libc.OpenNullAt(fd) == Tap.Core.Abi.Errno.None;
        }
        return (given[1], given[2]);
    }
}
