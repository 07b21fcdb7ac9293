using System.Runtime.InteropServices;
using Tap.Core.Abi;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    // ioctl is variadic in C; on x86_64 a third integer or pointer argument travels in the same register either
    // way, so two fixed signatures cover "pointer to a struct/int" and "value" requests. No tun or vhost ioctl
    // sleeps interruptibly, so EINTR is not retried here.

    [LibraryImport(Name, EntryPoint = "ioctl", SetLastError = true)]
    private static unsafe partial int IoctlPointer(FdHandle fd, nuint request, void* arg);

    [LibraryImport(Name, EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlValueRaw(FdHandle fd, nuint request, nuint value);

    /// <summary>ioctl whose argument is a pointer to <paramref name="arg"/> (an int, a u64, a vhost struct).</summary>
    internal static unsafe Errno Ioctl<T>(FdHandle fd, uint request, ref T arg) where T : unmanaged
    {
        fixed (T* p = &arg)
        {
            return IoctlPointer(fd, request, p) == 0 ? Errno.None : LastErrno();
        }
    }

    /// <summary>ioctl whose argument points at <paramref name="buffer"/> (a 40-byte ifreq).</summary>
    internal static unsafe Errno Ioctl(FdHandle fd, uint request, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            return IoctlPointer(fd, request, p) == 0 ? Errno.None : LastErrno();
        }
    }

    /// <summary>ioctl whose argument is passed by value (TUNSETOFFLOAD, VHOST_SET_OWNER).</summary>
    internal static Errno IoctlValue(FdHandle fd, uint request, nuint value) =>
        IoctlValueRaw(fd, request, value) == 0 ? Errno.None : LastErrno();
}
