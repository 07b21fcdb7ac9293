using Tap.Core.Abi;
using Tmds.Linux;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    /// <summary>eventfd(2) with <paramref name="flags"/> (LibC.EFD_*).</summary>
    internal static Errno EventFd(uint initialValue, int flags, out FdHandle handle) =>
        NewHandle(LibC.eventfd(initialValue, flags), out handle);
}
