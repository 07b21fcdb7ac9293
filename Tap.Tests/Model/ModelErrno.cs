namespace Tap.Tests.Model;

/// <summary>
/// The errno values the reference model can produce, with the glibc
/// <c>strerror</c> text. Deliberately independent of Tap.Core's ABI types so the
/// model does not share code with the implementation under test.
/// </summary>
public enum ModelErrno
{
    EPERM = 1,
    ENOENT = 2,
    ENXIO = 6,
    E2BIG = 7,
    EBADF = 9,
    ENOMEM = 12,
    EACCES = 13,
    EBUSY = 16,
    ENODEV = 19,
    EINVAL = 22,
    EMFILE = 24,
    ENOTTY = 25,
    EBADFD = 77,
}

public static class ModelErrnoText
{
    public static string Text(this ModelErrno errno) => errno switch
    {
        ModelErrno.EPERM => "Operation not permitted",
        ModelErrno.ENOENT => "No such file or directory",
        ModelErrno.ENXIO => "No such device or address",
        ModelErrno.E2BIG => "Argument list too long",
        ModelErrno.EBADF => "Bad file descriptor",
        ModelErrno.ENOMEM => "Cannot allocate memory",
        ModelErrno.EACCES => "Permission denied",
        ModelErrno.EBUSY => "Device or resource busy",
        ModelErrno.ENODEV => "No such device",
        ModelErrno.EINVAL => "Invalid argument",
        ModelErrno.EMFILE => "Too many open files",
        ModelErrno.ENOTTY => "Inappropriate ioctl for device",
        ModelErrno.EBADFD => "File descriptor in bad state",
        _ => throw new ArgumentOutOfRangeException(nameof(errno), errno, null),
    };
}
