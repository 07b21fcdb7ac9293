using System.Runtime.InteropServices;
using Tap.Core.Abi;

namespace Tap.Linux.Interop;

/// <summary>
/// The kernel edge, one file per syscall family. The calls themselves come from Tmds.LibC (raw glibc bindings:
/// int fds, pointers, constants as properties); what it lacks is declared in <c>Libc.OwnImports.cs</c>. Outside
/// this folder fds travel as <see cref="FdHandle"/>, never as bare numbers, except on the packet path (read and
/// writev of a number <see cref="FdTable"/> owns, and <see cref="EpollLoop"/>'s wait on its own epoll fd); a
/// failure is turned into <see cref="Errno"/> here, once, right after the call.
/// </summary>
internal static partial class Libc
{
    /// <summary>glibc, for our own imports; the loader resolves it to libc.so.6.</summary>
    internal const string Name = "libc";

    /// <summary>The errno of the last P/Invoke marked <c>SetLastError</c>, as our enum (values outside it keep their
    /// number). Tmds.LibC declares its imports with SetLastError (poll excepted: see Libc.OwnImports.cs), so this
    /// reads the errno of its calls as well as ours.</summary>
    internal static Errno LastErrno() => (Errno)Marshal.GetLastPInvokeError();

    /// <summary>errno itself, for our imports declared without SetLastError (the packet path's read and writev):
    /// called straight after the call, with no other call in between. The runtime's return from a P/Invoke keeps
    /// errno even when it has to wait for a GC (NativeAOT's Thread::WaitForGC and CoreCLR's
    /// RareDisablePreemptiveGC save and restore it), so the value is the call's.</summary>
    internal static Errno SystemErrno() => (Errno)Marshal.GetLastSystemError();

    /// <summary>
    /// The number of a handle, referenced for the length of one call, as the SafeHandle marshaller does for our
    /// own imports: a concurrent Dispose cannot close the fd (and let the kernel reuse the number) meanwhile.
    /// <c>using var n = new Borrowed(handle);</c> then <c>n.Fd</c>. Throws ObjectDisposedException for a closed handle.
    /// </summary>
    internal readonly ref struct Borrowed
    {
        private readonly FdHandle _handle;
        private readonly bool _added;

        public Borrowed(FdHandle handle)
        {
            _handle = handle;
            bool added = false;
            handle.DangerousAddRef(ref added);
            _added = added;
            Fd = (int)handle.DangerousGetHandle();
        }

        /// <summary>The fd number, valid until <see cref="Dispose"/>.</summary>
        public int Fd { get; }

        public void Dispose()
        {
            if (_added)
            {
                _handle.DangerousRelease();
            }
        }
    }
}
