using System.Runtime.InteropServices;
using Tap.Core.Abi;

namespace Tap.Linux.Interop;

/// <summary>
/// Raw glibc bindings, one file per syscall family. Bindings stay raw (ints, pointers, <see cref="FdHandle"/>);
/// turning a failure into <see cref="Errno"/> happens here, once, right after the call.
/// </summary>
internal static partial class Libc
{
    /// <summary>glibc; the loader resolves it to libc.so.6.</summary>
    internal const string Name = "libc";

    /// <summary>The errno of the last P/Invoke marked <c>SetLastError</c>, as our enum (values outside it keep their number).</summary>
    internal static Errno LastErrno() => (Errno)Marshal.GetLastPInvokeError();
}
