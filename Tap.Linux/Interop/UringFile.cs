using Tmds.Linux;

namespace Tap.Linux.Interop;

/// <summary>
/// How a request names its file: an entry of the ring's registered file table (IOSQE_FIXED_FILE), which spares the
/// kernel looking the fd up and taking a reference on the file for every request (in a multi-threaded process, as
/// every .NET one is, an atomic on a shared counter each time), or the fd itself where the table is full.
/// </summary>
internal readonly record struct UringFile(int Number, byte Flags)
{
    public static UringFile Registered(int index) => new(index, (byte)LibC.IOSQE_FIXED_FILE);

    public static UringFile Fd(int fd) => new(fd, 0);
}
