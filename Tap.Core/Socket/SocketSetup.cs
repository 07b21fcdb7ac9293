using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Tap.Core.Abi;
using Tap.Core.Options;
using Tap.Core.Os;

namespace Tap.Core.Socket;

/// <summary>
/// The address handling of QEMU's util/qemu-sockets.c that the socket backends need (ST4): resolving an inet
/// address, the unix path checks, fd strings, listening, with QEMU's messages (the errno text appended as
/// <c>error_setg_errno</c> does).
/// </summary>
internal static class SocketSetup
{
    /// <summary>The listen backlog: one peer is served at a time, the next waits in the kernel (ST8).</summary>
    public const int ListenBacklog = 1;

    /// <summary>QEMU's message with the errno text, as error_setg_errno prints it.</summary>
    public static string WithErrno(string message, Errno error) => $"{message}: {ErrnoText.Of(error)}";

    /// <summary>The inet addresses to try, in order, or QEMU's resolution message.</summary>
    public static (List<InetSockAddr>? Addresses, string? Error) ResolveInet(
        IOsNet os, InetAddressOptions a, bool passive)
    {
        if (!int.TryParse(a.Port, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            return (null, $"address resolution failed for {a.Host}:{a.Port}: Servname not supported for ai_socktype");
        }
        bool v4 = a.Ipv4 ?? !(a.Ipv6 ?? false);
        bool v6 = a.Ipv6 ?? !(a.Ipv4 ?? false);
        var found = new List<IPAddress>();
        if (a.Host.Length == 0 && passive)
        {
            found.Add(v4 ? IPAddress.Any : IPAddress.IPv6Any);
        }
        else if (IPAddress.TryParse(a.Host, out var literal))
        {
            found.Add(literal);
        }
        else if (a.Numeric != true)
        {
            var r = os.ResolveHost(a.Host);
            if (r.Ok)
            {
                found.AddRange(r.Value);
            }
        }
        var result = new List<InetSockAddr>();
        foreach (var ip in found)
        {
            if ((ip.AddressFamily == AddressFamily.InterNetwork && v4)
                || (ip.AddressFamily == AddressFamily.InterNetworkV6 && v6))
            {
                result.Add(new InetSockAddr(ip, port));
            }
        }
        return result.Count == 0
            ? (null, $"address resolution failed for {a.Host}:{a.Port}: Name or service not known")
            : (result, null);
    }

    /// <summary>
    /// A unix address, or QEMU's "too long" message. Stream (unix_listen_saddr, unix_connect_saddr): the name may
    /// fill sun_path's 108 bytes, 107 when abstract (its leading NUL takes one). Dgram copies the path with snprintf,
    /// which needs room for the NUL (<paramref name="withNul"/>): at most 107.
    /// </summary>
    public static (UnixSockAddr? Address, string? Error) Unix(UnixAddressOptions u, bool withNul = false)
    {
        bool isAbstract = u.Abstract ?? false;
        int bytes = System.Text.Encoding.UTF8.GetByteCount(u.Path) + (isAbstract || withNul ? 1 : 0);
        if (bytes > UnixSockAddr.SunPathBytes)
        {
            return (null, $"UNIX socket path '{u.Path}' is too long");
        }
        return (new UnixSockAddr(u.Path, isAbstract, u.Tight ?? true), null);
    }

    /// <summary>QEMU's socket_get_fd without a monitor: a number that must be a socket.</summary>
    public static (Fd? Fd, string? Error) SocketFd(IOsNet os, string text)
    {
        if (!FdNumber(text, out int n))
        {
            var named = os.TakeNamedFd(text);
            if (!named.Ok)
            {
                return (null, WithErrno($"Unable to parse FD number {text}", Errno.EINVAL));
            }
            n = named.Value.Number;
        }
        var fd = new Fd(n);
        if (!os.GetSockName(fd).Ok)
        {
            return (null, $"File descriptor '{text}' is not a socket");
        }
        return (fd, null);
    }

    /// <summary>A decimal fd number as qemu_strtoi reads it (base 10, the whole text).</summary>
    public static bool FdNumber(string text, out int n) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out n) && n >= 0;

    /// <summary>A listening socket on <paramref name="addr"/>, or QEMU's message; nothing left open on
    /// failure.</summary>
    public static (Fd? Fd, string? Error) Listen(IOsNet os, SocketAddressOptions addr)
    {
        switch (addr)
        {
            case InetAddressOptions inet:
                return ListenInet(os, inet);
            case UnixAddressOptions unix:
                return ListenUnix(os, unix);
            case FdAddressOptions fd:
                return SocketFd(os, fd.Str);
            default:
                return (null, "vsock addresses are not supported by tapnet");
        }
    }

    /// <summary>
    /// QEMU's inet_listen_saddr: each resolved address, each port up to <c>to</c>, a new socket per try; a port in
    /// use moves on, any other bind or listen error ends it; a first socket() that fails skips the address (no
    /// IPv6 in the kernel, say).
    /// </summary>
    private static (Fd? Fd, string? Error) ListenInet(IOsNet os, InetAddressOptions inet)
    {
        var (addresses, error) = ResolveInet(os, inet, passive: true);
        if (addresses is null)
        {
            return (null, error);
        }
        Errno last = Errno.None;
        bool created = false;
        foreach (var a in addresses)
        {
            int to = inet.To is { } t && t > a.Port ? t : a.Port;
            for (int port = a.Port; port <= to; port++)
            {
                var s = os.Socket(Domain(a.Address), SockType.Stream);
                if (!s.Ok)
                {
                    last = s.Error;
                    if (port == a.Port)
                    {
                        continue;
                    }
                    return (null, WithErrno("Failed to recreate failed listening socket", s.Error));
                }
                created = true;
                _ = os.SetSockOpt(s.Value, SockOption.ReuseAddr, 1);
                var b = os.Bind(s.Value, a with { Port = port });
                var l = b.Ok ? os.Listen(s.Value, ListenBacklog) : b;
                if (l.Ok)
                {
                    return (s.Value, null);
                }
                last = l.Error;
                _ = os.Close(s.Value);
                if (last != Errno.EADDRINUSE)
                {
                    return (null, WithErrno(b.Ok ? "Failed to listen on socket" : "Failed to bind socket", last));
                }
            }
        }
        return (null, WithErrno(created ? "Failed to find an available port" : "Failed to create a socket", last));
    }

    private static (Fd? Fd, string? Error) ListenUnix(IOsNet os, UnixAddressOptions unix)
    {
        var (address, error) = Unix(unix);
        if (address is null)
        {
            return (null, error);
        }
        var s = os.Socket(SockDomain.Unix, SockType.Stream);
        if (!s.Ok)
        {
            return (null, WithErrno("Failed to create Unix socket", s.Error));
        }
        if (!address.Abstract && os.Unlink(address.Path) is { Ok: false } u && u.Error != Errno.ENOENT)
        {
            _ = os.Close(s.Value);
            return (null, WithErrno($"Failed to unlink socket {address.Path}", u.Error));
        }
        if (os.Bind(s.Value, address) is { Ok: false } b)
        {
            _ = os.Close(s.Value);
            return (null, WithErrno($"Failed to bind socket to {address.Path}", b.Error));
        }
        if (os.Listen(s.Value, ListenBacklog) is { Ok: false } l)
        {
            _ = os.Close(s.Value);
            return (null, WithErrno("Failed to listen on socket", l.Error));
        }
        return (s.Value, null);
    }

    /// <summary>The socket domain of an IP address.</summary>
    public static SockDomain Domain(IPAddress ip) =>
        ip.AddressFamily == AddressFamily.InterNetworkV6 ? SockDomain.Inet6 : SockDomain.Inet;

    /// <summary>QEMU's <c>socket_uri</c> of an address the kernel reported.</summary>
    public static string Uri(SockAddr? address) => address switch
    {
        InetSockAddr i => $"tcp:{i.Host}:{i.Port.ToString(CultureInfo.InvariantCulture)}",
        UnixSockAddr u => $"unix:{u.Path}",
        _ => "unknown address type",
    };
}
