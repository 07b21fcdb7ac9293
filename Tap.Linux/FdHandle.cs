using System.Runtime.InteropServices;
using Tap.Linux.Interop;

namespace Tap.Linux;

/// <summary>
/// Owns one Linux file descriptor. Every call at the kernel edge (Interop/) takes this type and holds a reference
/// for the length of the call (<c>Libc.Borrowed</c>), so a concurrent <see cref="SafeHandle.Dispose()"/> cannot close
/// (and let the kernel reuse) the number underneath it. The packet path's read and writev are the exception: they
/// use the number under the reference <see cref="FdTable"/> holds for as long as it owns the fd.
/// </summary>
public sealed class FdHandle : SafeHandle
{
    /// <summary>An invalid handle (-1), for the marshaller.</summary>
    public FdHandle() : base(-1, ownsHandle: true)
    {
    }

    /// <summary>Takes ownership of <paramref name="fd"/>: it is closed when this handle is released.</summary>
    public FdHandle(int fd) : base(-1, ownsHandle: true) => SetHandle(fd);

    /// <inheritdoc/>
    public override bool IsInvalid => handle < 0;

    /// <summary>The fd number (kept after disposal, for messages).</summary>
    public int Number => (int)handle;

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
