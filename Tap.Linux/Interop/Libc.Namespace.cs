using System.Runtime.InteropServices;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    internal const int CLONE_NEWNET = 0x40000000;

    /// <summary>Moves the calling thread (only it) into the namespace <paramref name="nsFd"/> refers to.</summary>
    [LibraryImport(Name, EntryPoint = "setns", SetLastError = true)]
    internal static partial int SetNs(FdHandle nsFd, int nsType);
}
