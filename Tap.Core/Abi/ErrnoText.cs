using System.Collections.Frozen;

namespace Tap.Core.Abi;

/// <summary>
/// The glibc <c>strerror</c> text of each errno. QEMU appends this text to its messages, and our messages must
/// match QEMU's to the letter, so the table is ours rather than the host C library's.
/// </summary>
public static class ErrnoText
{
    private static readonly FrozenDictionary<Errno, string> Texts = new Dictionary<Errno, string>
    {
        [Errno.None] = "Success",
        [Errno.EPERM] = "Operation not permitted",
        [Errno.ENOENT] = "No such file or directory",
        [Errno.ESRCH] = "No such process",
        [Errno.EINTR] = "Interrupted system call",
        [Errno.EIO] = "Input/output error",
        [Errno.ENXIO] = "No such device or address",
        [Errno.E2BIG] = "Argument list too long",
        [Errno.ENOEXEC] = "Exec format error",
        [Errno.EBADF] = "Bad file descriptor",
        [Errno.ECHILD] = "No child processes",
        [Errno.EAGAIN] = "Resource temporarily unavailable",
        [Errno.ENOMEM] = "Cannot allocate memory",
        [Errno.EACCES] = "Permission denied",
        [Errno.EFAULT] = "Bad address",
        [Errno.EBUSY] = "Device or resource busy",
        [Errno.EEXIST] = "File exists",
        [Errno.ENODEV] = "No such device",
        [Errno.EINVAL] = "Invalid argument",
        [Errno.ENFILE] = "Too many open files in system",
        [Errno.EMFILE] = "Too many open files",
        [Errno.ENOTTY] = "Inappropriate ioctl for device",
        [Errno.EPIPE] = "Broken pipe",
        [Errno.ENOSYS] = "Function not implemented",
        [Errno.ENOTSOCK] = "Socket operation on non-socket",
        [Errno.EOPNOTSUPP] = "Operation not supported",
        [Errno.ENOBUFS] = "No buffer space available",
        [Errno.EBADFD] = "File descriptor in bad state",
        [Errno.ETIMEDOUT] = "Connection timed out",
        [Errno.ENAMETOOLONG] = "File name too long",
        [Errno.EMSGSIZE] = "Message too long",
        [Errno.EAFNOSUPPORT] = "Address family not supported by protocol",
        [Errno.EADDRINUSE] = "Address already in use",
        [Errno.EADDRNOTAVAIL] = "Cannot assign requested address",
        [Errno.ENETUNREACH] = "Network is unreachable",
        [Errno.ECONNABORTED] = "Software caused connection abort",
        [Errno.ECONNRESET] = "Connection reset by peer",
        [Errno.ENOTCONN] = "Transport endpoint is not connected",
        [Errno.ECONNREFUSED] = "Connection refused",
        [Errno.EHOSTUNREACH] = "No route to host",
        [Errno.EINPROGRESS] = "Operation now in progress",
    }.ToFrozenDictionary();

    /// <summary>The text glibc's <c>strerror</c> gives for <paramref name="errno"/>.</summary>
    public static string Of(Errno errno) =>
        Texts.TryGetValue(errno, out var text) ? text : $"Unknown error {(int)errno}";
}
