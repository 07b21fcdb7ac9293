using System.Net;
using Tap.Core.Abi;

namespace Tap.Core.Os;

/// <summary>
/// The socket calls behind <c>-netdev stream</c> and <c>-netdev dgram</c> (docs/stream-dgram.md ST2), shaped like
/// the system calls. Reads and writes on a connected stream or datagram socket go through
/// <see cref="Read"/> and <see cref="Write"/>. A kernel without sockets (a test double of the tap path) inherits
/// these defaults and answers ENOSYS, which the socket backends report like any other failure.
/// </summary>
public partial interface IOsNet
{
    /// <summary><c>socket(domain, type | SOCK_CLOEXEC, 0)</c>.</summary>
    SysResult<Fd> Socket(SockDomain domain, SockType type) => Errno.ENOSYS;

    /// <summary><c>setsockopt(fd, level-of(option), option, &amp;value, sizeof(int))</c>.</summary>
    SysResult SetSockOpt(Fd fd, SockOption option, int value) => Errno.ENOSYS;

    /// <summary><c>IP_ADD_MEMBERSHIP</c> of <paramref name="group"/> on the interface with address
    /// <paramref name="local"/> (<see cref="IPAddress.Any"/>: the kernel picks).</summary>
    SysResult JoinMulticast(Fd fd, IPAddress group, IPAddress local) => Errno.ENOSYS;

    /// <summary><c>IP_MULTICAST_IF</c>: multicast leaves from the interface with address
    /// <paramref name="local"/>.</summary>
    SysResult SetMulticastInterface(Fd fd, IPAddress local) => Errno.ENOSYS;

    /// <summary><c>bind</c>.</summary>
    SysResult Bind(Fd fd, SockAddr address) => Errno.ENOSYS;

    /// <summary><c>listen</c>.</summary>
    SysResult Listen(Fd fd, int backlog) => Errno.ENOSYS;

    /// <summary><c>accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)</c>; EAGAIN when nobody waits.</summary>
    SysResult<Fd> Accept(Fd fd) => Errno.ENOSYS;

    /// <summary>
    /// <c>connect</c>; on a non-blocking socket EINPROGRESS, then writable and <see cref="TakeSocketError"/>.
    /// </summary>
    SysResult Connect(Fd fd, SockAddr address) => Errno.ENOSYS;

    /// <summary><c>getsockopt(SO_ERROR)</c>: the outcome of a non-blocking connect.</summary>
    SysResult<PendingError> TakeSocketError(Fd fd) => Errno.ENOSYS;

    /// <summary><c>getsockname</c>.</summary>
    SysResult<SockAddr> GetSockName(Fd fd) => Errno.ENOSYS;

    /// <summary><c>getpeername</c>.</summary>
    SysResult<SockAddr> GetPeerName(Fd fd) => Errno.ENOSYS;

    /// <summary>One <c>sendto</c> of a datagram to <paramref name="destination"/>, or <c>send</c> when null.</summary>
    SysResult<int> SendTo(Fd fd, ReadOnlySpan<byte> datagram, SockAddr? destination) => Errno.ENOSYS;

    /// <summary><c>unlink</c> of a socket file.</summary>
    SysResult Unlink(string path) => Errno.ENOSYS;

    /// <summary>
    /// <c>getaddrinfo(host, NULL)</c> restricted to IPv4 and IPv6 addresses, in the resolver's order; EINVAL (or
    /// ENOENT) when the name does not resolve.
    /// </summary>
    SysResult<IReadOnlyList<IPAddress>> ResolveHost(string host) => Errno.ENOSYS;
}
