using Tap.Core.Abi;
using Tmds.Linux;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    /// <summary>poll(2) for POLLIN on one fd. Returns 1 ready (also error/hang-up), 0 timeout; EINTR is returned
    /// so the caller can recompute its time left.</summary>
    internal static unsafe Errno PollIn(FdHandle fd, int timeoutMs, out int ready)
    {
        // pollfd holds a bare number: the borrow keeps it from being closed and reused meanwhile.
        using var n = new Borrowed(fd);
        var pfd = new pollfd { fd = n.Fd, events = LibC.POLLIN };
        ready = PollRaw(&pfd, 1, timeoutMs);
        if (ready >= 0)
        {
            return Errno.None;
        }
        ready = 0;
        return LastErrno();
    }
}
