using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Tap.Core.Abi;
using Tap.Core.Os;
using Tmds.Linux;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    /// <summary>sizeof(struct sockaddr_storage): room for any address we build or get back.</summary>
    internal const int SockAddrStorageBytes = 128;

    /// <summary>socket(domain, type | SOCK_CLOEXEC, 0) (D-10: no child inherits it).</summary>
    internal static Errno Socket(SockDomain domain, SockType type, out FdHandle handle)
    {
        int af = domain switch
        {
            SockDomain.Inet => LibC.AF_INET,
            SockDomain.Inet6 => LibC.AF_INET6,
            _ => LibC.AF_UNIX,
        };
        int st = type == SockType.Stream ? LibC.SOCK_STREAM : LibC.SOCK_DGRAM;
        return NewHandle(LibC.socket(af, st | LibC.SOCK_CLOEXEC, 0), out handle);
    }

    /// <summary>setsockopt with an int value at the option's level.</summary>
    internal static unsafe Errno SetSockOptInt(FdHandle fd, SockOption option, int value)
    {
        var (level, name) = option switch
        {
            SockOption.ReuseAddr => (LibC.SOL_SOCKET, LibC.SO_REUSEADDR),
            SockOption.KeepAlive => (LibC.SOL_SOCKET, LibC.SO_KEEPALIVE),
            SockOption.TcpNoDelay => (LibC.IPPROTO_TCP, LibC.TCP_NODELAY),
            SockOption.MulticastLoop => (LibC.IPPROTO_IP, LibC.IP_MULTICAST_LOOP),
            _ => (LibC.IPPROTO_IP, LibC.IP_MULTICAST_TTL),
        };
        using var s = new Borrowed(fd);
        return LibC.setsockopt(s.Fd, level, name, &value, sizeof(int)) == 0 ? Errno.None : LastErrno();
    }

    /// <summary>IP_ADD_MEMBERSHIP (<paramref name="add"/>) or IP_MULTICAST_IF with in_addr values.</summary>
    internal static unsafe Errno SetSockOptInAddr(FdHandle fd, bool add, IPAddress group, IPAddress local)
    {
        // struct ip_mreq { struct in_addr imr_multiaddr; struct in_addr imr_interface; }: 8 bytes.
        byte* mreq = stackalloc byte[8];
        var span = new Span<byte>(mreq, 8);
        group.TryWriteBytes(span[..4], out _);
        local.TryWriteBytes(span[4..], out _);
        using var s = new Borrowed(fd);
        int r = add
            ? LibC.setsockopt(s.Fd, LibC.IPPROTO_IP, LibC.IP_ADD_MEMBERSHIP, mreq, 8)
            : LibC.setsockopt(s.Fd, LibC.IPPROTO_IP, LibC.IP_MULTICAST_IF, mreq + 4, 4);
        return r == 0 ? Errno.None : LastErrno();
    }

    /// <summary>bind or connect to <paramref name="address"/>.</summary>
    internal static unsafe Errno BindOrConnect(FdHandle fd, SockAddr address, bool connect)
    {
        byte* buf = stackalloc byte[SockAddrStorageBytes];
        int len = Encode(address, new Span<byte>(buf, SockAddrStorageBytes));
        if (len < 0)
        {
            return Errno.EINVAL;
        }
        using var s = new Borrowed(fd);
        int r = connect ? LibC.connect(s.Fd, (sockaddr*)buf, (uint)len) : LibC.bind(s.Fd, (sockaddr*)buf, (uint)len);
        return r == 0 ? Errno.None : LastErrno();
    }

    /// <summary>listen.</summary>
    internal static Errno Listen(FdHandle fd, int backlog)
    {
        using var s = new Borrowed(fd);
        return LibC.listen(s.Fd, backlog) == 0 ? Errno.None : LastErrno();
    }

    /// <summary>accept4 with SOCK_CLOEXEC | SOCK_NONBLOCK.</summary>
    internal static unsafe Errno Accept(FdHandle fd, out FdHandle accepted)
    {
        using var s = new Borrowed(fd);
        return NewHandle(LibC.accept4(s.Fd, null, null, LibC.SOCK_CLOEXEC | LibC.SOCK_NONBLOCK), out accepted);
    }

    /// <summary>getsockopt(SO_ERROR).</summary>
    internal static unsafe Errno SocketError(FdHandle fd, out Errno pending)
    {
        int value = 0;
        socklen_t len = sizeof(int);
        using var s = new Borrowed(fd);
        if (LibC.getsockopt(s.Fd, LibC.SOL_SOCKET, LibC.SO_ERROR, &value, &len) != 0)
        {
            pending = Errno.None;
            return LastErrno();
        }
        pending = (Errno)value;
        return Errno.None;
    }

    /// <summary>getsockname (<paramref name="peer"/> false) or getpeername.</summary>
    internal static unsafe Errno SocketName(FdHandle fd, bool peer, out SockAddr? address)
    {
        byte* buf = stackalloc byte[SockAddrStorageBytes];
        socklen_t len = SockAddrStorageBytes;
        using var s = new Borrowed(fd);
        int r = peer ? LibC.getpeername(s.Fd, (sockaddr*)buf, &len) : LibC.getsockname(s.Fd, (sockaddr*)buf, &len);
        if (r != 0)
        {
            address = null;
            return LastErrno();
        }
        address = Decode(new ReadOnlySpan<byte>(buf, Math.Min((int)len, SockAddrStorageBytes)));
        return Errno.None;
    }

    /// <summary>sendto, or send when <paramref name="destination"/> is null: datagrams only.</summary>
    internal static unsafe Errno SendTo(FdHandle fd, ReadOnlySpan<byte> data, SockAddr? destination, out int sent)
    {
        byte* buf = stackalloc byte[SockAddrStorageBytes];
        int len = destination is null ? 0 : Encode(destination, new Span<byte>(buf, SockAddrStorageBytes));
        using var s = new Borrowed(fd);
        fixed (byte* p = data)
        {
            long n = LibC.sendto(s.Fd, p, data.Length, 0, len > 0 ? (sockaddr*)buf : null, (uint)Math.Max(len, 0));
            sent = (int)Math.Max(n, 0);
            return n >= 0 ? Errno.None : LastErrno();
        }
    }

    /// <summary>unlink.</summary>
    internal static unsafe Errno Unlink(string path)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            return LibC.unlink(p) == 0 ? Errno.None : LastErrno();
        }
    }

    /// <summary>Writes a struct sockaddr_in / sockaddr_in6 / sockaddr_un; returns its length (-1: does not
    /// fit).</summary>
    internal static int Encode(SockAddr address, Span<byte> b)
    {
        b.Clear();
        switch (address)
        {
            case InetSockAddr { Address.AddressFamily: AddressFamily.InterNetwork } i:
                BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)LibC.AF_INET);
                BinaryPrimitives.WriteUInt16BigEndian(b[2..], (ushort)i.Port);
                i.Address.TryWriteBytes(b[4..8], out _);
                return 16;
            case InetSockAddr i6:
                BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)LibC.AF_INET6);
                BinaryPrimitives.WriteUInt16BigEndian(b[2..], (ushort)i6.Port);
                i6.Address.TryWriteBytes(b[8..24], out _);
                BinaryPrimitives.WriteUInt32LittleEndian(b[24..], (uint)i6.Address.ScopeId);
                return 28;
            case UnixSockAddr u:
                BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)LibC.AF_UNIX);
                int start = u.Abstract ? 3 : 2; // abstract: a leading NUL in sun_path
                int n = Encoding.UTF8.GetBytes(u.Path, b[start..(2 + UnixSockAddr.SunPathBytes)]);
                // QEMU's tight=on (the default) sizes the address to the name; off: all of sun_path. A path that
                // fills sun_path has no NUL, as QEMU passes it (addrlen = sizeof(struct sockaddr_un)).
                return u.Abstract && !u.Tight
                    ? 2 + UnixSockAddr.SunPathBytes
                    : Math.Min(start + n + (u.Abstract ? 0 : 1), 2 + UnixSockAddr.SunPathBytes);
            default:
                return -1;
        }
    }

    /// <summary>Reads what getsockname/getpeername filled in.</summary>
    internal static SockAddr? Decode(ReadOnlySpan<byte> b)
    {
        if (b.Length < 2)
        {
            return new UnixSockAddr(""); // an unnamed unix socket reports only its family, or nothing
        }
        int family = BinaryPrimitives.ReadUInt16LittleEndian(b);
        if (family == LibC.AF_INET && b.Length >= 8)
        {
            return new InetSockAddr(new IPAddress(b[4..8]), BinaryPrimitives.ReadUInt16BigEndian(b[2..]));
        }
        if (family == LibC.AF_INET6 && b.Length >= 24)
        {
            return new InetSockAddr(new IPAddress(b[8..24]), BinaryPrimitives.ReadUInt16BigEndian(b[2..]));
        }
        if (family == LibC.AF_UNIX)
        {
            var path = b[2..];
            bool isAbstract = path.Length > 0 && path[0] == 0;
            if (isAbstract)
            {
                path = path[1..];
            }
            int end = path.IndexOf((byte)0);
            return new UnixSockAddr(Encoding.UTF8.GetString(end < 0 ? path : path[..end]), isAbstract);
        }
        return null;
    }
}
