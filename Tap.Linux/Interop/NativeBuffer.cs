using System.Runtime.InteropServices;

namespace Tap.Linux.Interop;

/// <summary>
/// Memory the kernel reads and writes after the call that named it has returned (io_uring's reads and writes), so
/// it must not move: native, not a managed array. Allocated large and untouched, so only the pages frames land in
/// become resident. Freed only when no request still names it (UringLoop keeps count).
/// </summary>
internal sealed unsafe class NativeBuffer : IDisposable
{
    public NativeBuffer(int bytes)
    {
        Length = bytes;
        Pointer = (byte*)NativeMemory.Alloc((nuint)bytes);
    }

    public byte* Pointer { get; private set; }

    public int Length { get; }

    /// <summary>The bytes at <paramref name="offset"/>, for copying a frame in or out.</summary>
    public Span<byte> Slice(int offset, int length)
    {
        ObjectDisposedException.ThrowIf(Pointer == null, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)offset + (uint)length, (uint)Length);
        return new Span<byte>(Pointer + offset, length);
    }

    public void Dispose()
    {
        if (Pointer != null)
        {
            NativeMemory.Free(Pointer);
            Pointer = null;
        }
    }
}
