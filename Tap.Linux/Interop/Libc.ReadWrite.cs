using System.Runtime.InteropServices;
using Tap.Core.Abi;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    /// <summary>struct iovec (x86_64: 16 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [LibraryImport(Name, EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint ReadRaw(FdHandle fd, byte* buffer, nuint count);

    [LibraryImport(Name, EntryPoint = "writev", SetLastError = true)]
    private static unsafe partial nint WriteVRaw(FdHandle fd, IoVec* iov, int iovCount);

    /// <summary>One read(2). EINTR means nothing was transferred, so retrying is safe.</summary>
    internal static unsafe Errno Read(FdHandle fd, Span<byte> buffer, out int bytes)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                nint n = ReadRaw(fd, p, (nuint)buffer.Length);
                if (n >= 0)
                {
                    bytes = (int)n;
                    return Errno.None;
                }
                var error = LastErrno();
                if (error != Errno.EINTR)
                {
                    bytes = 0;
                    return error;
                }
            }
        }
    }

    /// <summary>One writev(2) of two buffers; the iovecs live on the stack and the spans are pinned, so a packet
    /// costs no allocation. EINTR means nothing was written (a tap write is all or nothing), so it is retried.</summary>
    internal static unsafe Errno WriteV(FdHandle fd, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, out int bytes)
    {
        fixed (byte* h = head)
        fixed (byte* b = body)
        {
            IoVec* iov = stackalloc IoVec[2];
            iov[0] = new IoVec { Base = h, Length = (nuint)head.Length };
            iov[1] = new IoVec { Base = b, Length = (nuint)body.Length };
            while (true)
            {
                nint n = WriteVRaw(fd, iov, 2);
                if (n >= 0)
                {
                    bytes = (int)n;
                    return Errno.None;
                }
                var error = LastErrno();
                if (error != Errno.EINTR)
                {
                    bytes = 0;
                    return error;
                }
            }
        }
    }

    /// <summary>One write(2) of one buffer (eventfd counters).</summary>
    internal static Errno Write(FdHandle fd, ReadOnlySpan<byte> buffer, out int bytes) =>
        WriteV(fd, buffer, default, out bytes);
}
