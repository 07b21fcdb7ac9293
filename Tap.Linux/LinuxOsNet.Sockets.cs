using System.Net;
using System.Net.Sockets;
using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Linux.Interop;

namespace Tap.Linux;

/// <summary>The socket calls of <see cref="IOsNet"/> on the real kernel (docs/stream-dgram.md ST2).</summary>
public sealed partial class LinuxOsNet
{
    /// <inheritdoc/>
    public SysResult<Fd> Socket(SockDomain domain, SockType type) => Own(Libc.Socket(domain, type, out var h), h);

    /// <inheritdoc/>
    public SysResult SetSockOpt(Fd fd, SockOption option, int value) =>
        With(fd, h => Libc.SetSockOptInt(h, option, value));

    /// <inheritdoc/>
    public SysResult JoinMulticast(Fd fd, IPAddress group, IPAddress local) =>
        With(fd, h => Libc.SetSockOptInAddr(h, add: true, group, local));

    /// <inheritdoc/>
    public SysResult SetMulticastInterface(Fd fd, IPAddress local) =>
        With(fd, h => Libc.SetSockOptInAddr(h, add: false, IPAddress.Any, local));

    /// <inheritdoc/>
    public SysResult Bind(Fd fd, SockAddr address) => With(fd, h => Libc.BindOrConnect(h, address, connect: false));

    /// <inheritdoc/>
    public SysResult Listen(Fd fd, int backlog) => With(fd, h => Libc.Listen(h, backlog));

    /// <inheritdoc/>
    public SysResult<Fd> Accept(Fd fd)
    {
        var handle = _fds.Get(fd);
        if (!handle.Ok)
        {
            return handle.Error;
        }
        return Own(Libc.Accept(handle.Value, out var accepted), accepted);
    }

    /// <inheritdoc/>
    public SysResult Connect(Fd fd, SockAddr address) => With(fd, h => Libc.BindOrConnect(h, address, connect: true));

    /// <inheritdoc/>
    public SysResult<PendingError> TakeSocketError(Fd fd)
    {
        var handle = _fds.Get(fd);
        if (!handle.Ok)
        {
            return handle.Error;
        }
        var e = Libc.SocketError(handle.Value, out var pending);
        return e == Errno.None ? new PendingError(pending) : e;
    }

    /// <inheritdoc/>
    public SysResult<SockAddr> GetSockName(Fd fd) => Name(fd, peer: false);

    /// <inheritdoc/>
    public SysResult<SockAddr> GetPeerName(Fd fd) => Name(fd, peer: true);

    /// <inheritdoc/>
    public SysResult<int> SendTo(Fd fd, ReadOnlySpan<byte> datagram, SockAddr? destination)
    {
        var handle = _fds.Get(fd);
        if (!handle.Ok)
        {
            return handle.Error;
        }
        var e = Libc.SendTo(handle.Value, datagram, destination, out int sent);
        return e == Errno.None ? sent : e;
    }

    /// <inheritdoc/>
    public SysResult Unlink(string path) => Libc.Unlink(path);

    /// <inheritdoc/>
    public SysResult<IReadOnlyList<IPAddress>> ResolveHost(string host)
    {
        try
        {
            // getaddrinfo, blocking, at setup only (QEMU resolves the same way).
            IReadOnlyList<IPAddress> all = Dns.GetHostAddresses(host)
                .Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6).ToArray();
            return new SysResult<IReadOnlyList<IPAddress>>(all, all.Count == 0 ? Errno.ENOENT : Errno.None);
        }
        catch (SocketException)
        {
            return new SysResult<IReadOnlyList<IPAddress>>(Array.Empty<IPAddress>(), Errno.ENOENT);
        }
    }

    private SysResult<SockAddr> Name(Fd fd, bool peer)
    {
        var handle = _fds.Get(fd);
        if (!handle.Ok)
        {
            return handle.Error;
        }
        var e = Libc.SocketName(handle.Value, peer, out var address);
        if (e != Errno.None)
        {
            return e;
        }
        return address is null ? Errno.EAFNOSUPPORT : address;
    }

    private SysResult<Fd> Own(Errno error, FdHandle handle)
    {
        if (error != Errno.None)
        {
            handle.Dispose();
            return error;
        }
        return _fds.Add(handle);
    }

    private SysResult With(Fd fd, Func<FdHandle, Errno> call)
    {
        var handle = _fds.Get(fd);
        return handle.Ok ? call(handle.Value) : handle.Error;
    }
}
