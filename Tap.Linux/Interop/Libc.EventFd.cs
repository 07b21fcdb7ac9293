using System.Runtime.InteropServices;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    internal const int EFD_CLOEXEC = O_CLOEXEC;
    internal const int EFD_NONBLOCK = O_NONBLOCK;

    [LibraryImport(Name, EntryPoint = "eventfd", SetLastError = true)]
    internal static partial int EventFd(uint initialValue, int flags);
}
