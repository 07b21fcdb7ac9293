using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tap.Core.Abi;
using Tmds.Linux;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    /// <summary>One read(2) under a reference held for the call. EINTR means nothing was transferred, so retrying is
    /// safe.</summary>
    internal static Errno Read(FdHandle fd, Span<byte> buffer, out int bytes)
    {
        using var n = new Borrowed(fd);
        return ReadOwned(n.Fd, buffer, out bytes);
    }

    /// <summary>read(2)'s, writev(2)'s and write(2)'s numbers for <see cref="Syscall3"/>, or -1 where not known
    /// (glibc's wrappers then).</summary>
    private static readonly nint SysRead = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 0,
        Architecture.Arm64 => 63,
        _ => -1,
    };

    private static readonly nint SysWriteV = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 20,
        Architecture.Arm64 => 66,
        _ => -1,
    };

    private static readonly nint SysWrite = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 1,
        Architecture.Arm64 => 64,
        _ => -1,
    };

    /// <summary>
    /// The packet path's read(2): <paramref name="fd"/> is a number whose owner keeps it open for longer than the call
    /// (FdTable's lease), so no reference is taken per frame. errno is read only on failure, straight after the call
    /// (the import does not save it on every call, see Libc.OwnImports.cs).
    /// </summary>
    [SkipLocalsInit] // nothing is read before it is written; spares the prologue's zeroing on every frame
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // one frame fewer for read(2) to return through
    internal static unsafe Errno ReadOwned(int fd, Span<byte> buffer, out int bytes)
    {
        fixed (byte* p = buffer)
        {
            nint result;
            Errno error;
            do
            {
                result = SysRead >= 0 ? Syscall3(SysRead, fd, (nint)p, buffer.Length) : ReadRaw(fd, p, buffer.Length);
            }
            while (!Finished(result, out bytes, out error));
            return error;
        }
    }

    /// <summary>
    /// The end of one packet-path call: its byte count, or the errno read straight after it. False only for EINTR,
    /// which transferred nothing (a tap read or write is all or nothing), so the caller makes the call again.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Finished(nint result, out int bytes, out Errno error)
    {
        if (result >= 0)
        {
            bytes = (int)result;
            error = Errno.None;
            return true;
        }
        bytes = 0;
        error = SystemErrno();
        return error != Errno.EINTR;
    }

    /// <summary>
    /// Head and body of at most this many bytes together go out as one write(2) from a copy on the stack. The kernel
    /// takes a single buffer by a shorter path than an iovec array (no iovec import, a one-segment iterator): about
    /// 70-100 ns less system time per frame here (bench/kernel-profile.sh), for a copy of a few dozen ns at most. An
    /// MTU frame with its 10- or 12-byte header fits; GSO frames, which would cost a long copy, keep writev.
    /// </summary>
    internal const int CoalesceLimit = 2048;

    /// <summary>The packet path's write of two buffers, on a number its owner keeps open (as <see cref="ReadOwned"/>):
    /// one write(2) when the head is empty or both fit <see cref="CoalesceLimit"/> (joined in
    /// <paramref name="scratch"/>, at least that long), else one writev(2). The iovecs are a local and the spans are
    /// pinned, so a packet costs no allocation. EINTR means nothing was written (a tap write is all or nothing), so it
    /// is retried.</summary>
    // The caller's stack gives the scratch: a method that allocates on the stack itself is not inlined.
    [SkipLocalsInit] // as ReadOwned; nothing on the stack is read before it is written
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // as ReadOwned
    internal static unsafe Errno WritePairOwned(int fd, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body,
        Span<byte> scratch, out int bytes)
    {
        int total = head.Length + body.Length;
        if (head.IsEmpty)
        {
            return WriteOneOwned(fd, body, out bytes);
        }
        if (total <= CoalesceLimit)
        {
            Span<byte> joined = scratch[..CoalesceLimit];
            CopyHead(head, joined);
            body.CopyTo(joined[head.Length..]);
            return WriteOneOwned(fd, joined[..total], out bytes);
        }
        fixed (byte* h = head)
        fixed (byte* b = body)
        {
            IoVecPair iov;
            iov.Head = new iovec { iov_base = h, iov_len = head.Length };
            iov.Body = new iovec { iov_base = b, iov_len = body.Length };
            nint result;
            Errno error;
            do
            {
                result = SysWriteV >= 0 ? Syscall3(SysWriteV, fd, (nint)(&iov.Head), 2) : WriteVRaw(fd, &iov.Head, 2);
            }
            while (!Finished(result, out bytes, out error));
            return error;
        }
    }

    /// <summary>
    /// Copies a frame's header (10 or 12 bytes, 20 at most) to the front of <paramref name="to"/>: as two 8-byte
    /// moves that overlap when it is 8 to 16 bytes long, where a general copy call costs ~40 instructions a frame.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CopyHead(ReadOnlySpan<byte> head, Span<byte> to)
    {
        if (head.Length is >= sizeof(ulong) and <= 2 * sizeof(ulong) && to.Length >= head.Length)
        {
            ref byte from = ref MemoryMarshal.GetReference(head);
            ref byte into = ref MemoryMarshal.GetReference(to);
            int last = head.Length - sizeof(ulong);
            ulong first8 = Unsafe.ReadUnaligned<ulong>(ref from);
            ulong last8 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref from, last));
            Unsafe.WriteUnaligned(ref into, first8);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref into, last), last8);
            return;
        }
        head.CopyTo(to);
    }

    /// <summary>One write(2) of one buffer on an owned number, through syscall(2) where its number is known.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // two call sites, one per frame: the call costs more
    private static unsafe Errno WriteOneOwned(int fd, ReadOnlySpan<byte> buffer, out int bytes)
    {
        fixed (byte* p = buffer)
        {
            nint result;
            Errno error;
            do
            {
                result = SysWrite >= 0
                    ? Syscall3(SysWrite, fd, (nint)p, buffer.Length)
                    : WriteRaw(fd, p, buffer.Length);
            }
            while (!Finished(result, out bytes, out error));
            return error;
        }
    }

    /// <summary>One write(2) of one buffer (eventfd counters), EINTR retried as for
    /// <see cref="WritePairOwned"/>.</summary>
    internal static unsafe Errno Write(FdHandle fd, ReadOnlySpan<byte> buffer, out int bytes)
    {
        using var n = new Borrowed(fd);
        fixed (byte* p = buffer)
        {
            while (true)
            {
                long written = LibC.write(n.Fd, p, buffer.Length);
                if (written >= 0)
                {
                    bytes = (int)written;
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

    /// <summary>writev's two iovecs, one after the other as the kernel reads an array of them.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct IoVecPair
    {
        public iovec Head;
        public iovec Body;
    }
}
