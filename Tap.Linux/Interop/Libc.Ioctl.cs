using Tap.Core.Abi;
using Tmds.Linux;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    // Tmds.LibC takes the request as an int and widens it through uint (no sign extension) to glibc's unsigned
    // long; the kernel reads it as unsigned int anyway, so _IOR numbers above int.MaxValue pass unchanged. No tun
    // or vhost ioctl sleeps interruptibly, so EINTR is not retried here.

    /// <summary>ioctl whose argument is a pointer to <paramref name="arg"/> (an int, a u64, a vhost struct).</summary>
    internal static unsafe Errno Ioctl<T>(FdHandle fd, uint request, ref T arg) where T : unmanaged
    {
        using var n = new Borrowed(fd);
        fixed (T* p = &arg)
        {
            return LibC.ioctl(n.Fd, unchecked((int)request), p) == 0 ? Errno.None : LastErrno();
        }
    }

    /// <summary>ioctl whose argument points at <paramref name="buffer"/> (a 40-byte ifreq).</summary>
    internal static unsafe Errno Ioctl(FdHandle fd, uint request, Span<byte> buffer)
    {
        using var n = new Borrowed(fd);
        fixed (byte* p = buffer)
        {
            return LibC.ioctl(n.Fd, unchecked((int)request), p) == 0 ? Errno.None : LastErrno();
        }
    }

    /// <summary>ioctl whose argument is passed by value (TUNSETOFFLOAD's mask, VHOST_SET_OWNER's unused 0).</summary>
    internal static Errno IoctlValue(FdHandle fd, uint request, int value)
    {
        using var n = new Borrowed(fd);
        return LibC.ioctl(n.Fd, unchecked((int)request), value) == 0 ? Errno.None : LastErrno();
    }
}
