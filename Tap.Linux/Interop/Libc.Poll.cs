using System.Runtime.InteropServices;
using Tap.Core.Abi;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    internal const short POLLIN = 0x001;

    /// <summary>struct pollfd (8 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    [LibraryImport(Name, EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int PollRaw(PollFd* fds, nuint count, int timeoutMs);

    /// <summary>poll(2) for POLLIN on one fd. Returns 1 ready (also error/hang-up), 0 timeout; EINTR is returned
    /// so the caller can recompute its time left.</summary>
    internal static unsafe Errno PollIn(FdHandle fd, int timeoutMs, out int ready)
    {
        // pollfd holds a bare number: keep the handle referenced so it cannot be closed and reused meanwhile.
        bool added = false;
        fd.DangerousAddRef(ref added);
        try
        {
            var pfd = new PollFd { Fd = fd.Number, Events = POLLIN };
            ready = PollRaw(&pfd, 1, timeoutMs);
            if (ready >= 0)
            {
                return Errno.None;
            }
            ready = 0;
            return LastErrno();
        }
        finally
        {
            if (added)
            {
                fd.DangerousRelease();
            }
        }
    }
}
