namespace Tap.Core.Abi;

/// <summary>Linux errno values (x86_64 numbering) that the TAP backend branches on or reports.</summary>
public enum Errno
{
    /// <summary>No error: the call succeeded.</summary>
    None = 0,
    EPERM = 1,
    ENOENT = 2,
    ESRCH = 3,
    EINTR = 4,
    EIO = 5,
    ENXIO = 6,
    E2BIG = 7,
    ENOEXEC = 8,
    EBADF = 9,
    ECHILD = 10,
    EAGAIN = 11,
    ENOMEM = 12,
    EACCES = 13,
    EFAULT = 14,
    EBUSY = 16,
    EEXIST = 17,
    ENODEV = 19,
    EINVAL = 22,
    ENFILE = 23,
    EMFILE = 24,
    ENOTTY = 25,
    EPIPE = 32,
    ENOSYS = 38,
    ENOTSOCK = 88,
    EOPNOTSUPP = 95,
    ENOBUFS = 105,
    EBADFD = 77,
    ETIMEDOUT = 110,
}
