using Tap.Core.Abi;
using Tmds.Linux;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    /// <summary>Moves the calling thread (only it) into the network namespace <paramref name="nsFd"/> refers
    /// to.</summary>
    internal static Errno SetNetNs(FdHandle nsFd)
    {
        using var n = new Borrowed(nsFd);
        return LibC.setns(n.Fd, LibC.CLONE_NEWNET) == 0 ? Errno.None : LastErrno();
    }

    /// <summary>Gives the calling thread (only it) a private copy of the fd table it shared with the other threads.
    /// </summary>
    internal static Errno UnshareFiles() => LibC.unshare(LibC.CLONE_FILES) == 0 ? Errno.None : LastErrno();
}
