using System.Globalization;
using System.Net;
using Tap.Core.Abi;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;

namespace Tap.Core.Socket;

/// <summary><c>net_init_dgram</c>: QEMU's checks in its order and with its messages (DG1, DG2, DG6).</summary>
public static class DgramInit
{
    /// <summary>Creates the netdev, or returns QEMU's message with nothing left open.</summary>
    public static NetdevInitResult Run(NetStack stack, IOsNet os, DgramOptions options)
    {
        var (local, remote) = (options.Local, options.Remote);
        if (remote is InetAddressOptions r0)
        {
            var (group, error) = ConvertHostPort(os, r0.Host, r0.Port);
            if (group is null)
            {
                return NetdevInitResult.Fail(error!);
            }
            if (IsMulticast(group.Address))
            {
                return Multicast.Run(stack, os, options.Id, group, local);
            }
        }
        if (local is null)
        {
            return NetdevInitResult.Fail("dgram requires local= parameter");
        }
        if (remote is not null)
        {
            if (local is FdAddressOptions)
            {
                return NetdevInitResult.Fail("don't set remote with local.fd");
            }
            if (remote.Kind != local.Kind)
            {
                return NetdevInitResult.Fail("remote and local types must be the same");
            }
        }
        else if (local is not FdAddressOptions)
        {
            return NetdevInitResult.Fail("type=inet or type=unix requires remote parameter");
        }

        return local switch
        {
            InetAddressOptions l => Inet(stack, os, options.Id, l, (InetAddressOptions)remote!),
            UnixAddressOptions l => Unix(stack, os, options.Id, l, (UnixAddressOptions)remote!),
            FdAddressOptions l => FromFd(stack, os, options.Id, l.Str),
            _ => NetdevInitResult.Fail("only support inet or fd type for local"),
        };
    }

    private static NetdevInitResult Inet(NetStack stack, IOsNet os, string id, InetAddressOptions l,
        InetAddressOptions r)
    {
        var (laddr, lerr) = ConvertHostPort(os, l.Host, l.Port);
        if (laddr is null)
        {
            return NetdevInitResult.Fail(lerr!);
        }
        var (raddr, rerr) = ConvertHostPort(os, r.Host, r.Port);
        if (raddr is null)
        {
            return NetdevInitResult.Fail(rerr!);
        }
        var s = os.Socket(SockDomain.Inet, SockType.Dgram);
        if (!s.Ok)
        {
            return NetdevInitResult.Fail(SocketSetup.WithErrno("can't create datagram socket", s.Error));
        }
        if (os.SetSockOpt(s.Value, SockOption.ReuseAddr, 1) is { Ok: false } reuse)
        {
            os.Close(s.Value);
            return NetdevInitResult.Fail(SocketSetup.WithErrno("can't set socket option SO_REUSEADDR", reuse.Error));
        }
        if (os.Bind(s.Value, laddr) is { Ok: false } b)
        {
            os.Close(s.Value);
            return NetdevInitResult.Fail(SocketSetup.WithErrno($"can't bind ip={laddr.Host} to socket", b.Error));
        }
        _ = os.SetNonBlocking(s.Value);
        string info = $"udp={laddr.Host}:{Port(laddr)}/{raddr.Host}:{Port(raddr)}";
        return Done(new DgramBackend(stack, id, os, s.Value, raddr, info, null));
    }

    private static NetdevInitResult Unix(NetStack stack, IOsNet os, string id, UnixAddressOptions l,
        UnixAddressOptions r)
    {
        if (os.Unlink(l.Path) is { Ok: false } u && u.Error != Errno.ENOENT)
        {
            return NetdevInitResult.Fail(SocketSetup.WithErrno($"failed to unlink socket {l.Path}", u.Error));
        }
        // QEMU's dgram takes the plain path: abstract and tight are not looked at here.
        var (laddr, lerr) = SocketSetup.Unix(l with { Abstract = false }, withNul: true);
        if (laddr is null)
        {
            return NetdevInitResult.Fail(lerr!);
        }
        var (raddr, rerr) = SocketSetup.Unix(r with { Abstract = false }, withNul: true);
        if (raddr is null)
        {
            return NetdevInitResult.Fail(rerr!);
        }
        var s = os.Socket(SockDomain.Unix, SockType.Dgram);
        if (!s.Ok)
        {
            return NetdevInitResult.Fail(SocketSetup.WithErrno("can't create datagram socket", s.Error));
        }
        if (os.Bind(s.Value, laddr) is { Ok: false } b)
        {
            os.Close(s.Value);
            return NetdevInitResult.Fail(SocketSetup.WithErrno($"can't bind unix={l.Path} to socket", b.Error));
        }
        _ = os.SetNonBlocking(s.Value);
        return Done(new DgramBackend(stack, id, os, s.Value, raddr, $"udp={l.Path}:{r.Path}", l.Path));
    }

    private static NetdevInitResult FromFd(NetStack stack, IOsNet os, string id, string text)
    {
        var (fd, error) = MonitorFd(os, text);
        if (fd is null)
        {
            return NetdevInitResult.Fail(error!);
        }
        if (os.SetNonBlocking(fd.Value) is { Ok: false } nb)
        {
            return NetdevInitResult.Fail(
                SocketSetup.WithErrno($"{id}: Can't use file descriptor {fd.Value}", nb.Error));
        }
        return Done(new DgramBackend(stack, id, os, fd.Value, null, $"fd={fd.Value}", null));
    }

    /// <summary>QEMU's monitor_fd_param without a monitor: a decimal number.</summary>
    internal static (Fd? Fd, string? Error) MonitorFd(IOsNet os, string text)
    {
        if (text.Length > 0 && !char.IsAsciiDigit(text[0]))
        {
            var named = os.TakeNamedFd(text);
            return named.Ok ? (named.Value, null) : (null, $"File descriptor named '{text}' has not been found");
        }
        return FdResolver.TryParseNumber(text, out int n)
            ? (new Fd(n), null)
            : (null, $"Invalid file descriptor number '{text}'");
    }

    /// <summary>
    /// QEMU's convert_host_port: IPv4 only; an empty host is INADDR_ANY; a host starting with a digit must be a
    /// dotted address; the port is read by strtol base 0 (trailing characters allowed) and kept modulo 2^16 (htons).
    /// </summary>
    internal static (InetSockAddr? Address, string? Error) ConvertHostPort(IOsNet os, string host, string port)
    {
        IPAddress address;
        if (host.Length == 0)
        {
            address = IPAddress.Any;
        }
        else if (char.IsAsciiDigit(host[0]))
        {
            if (!InetAton(host, out address))
            {
                return (null, $"host address '{host}' is not a valid IPv4 address");
            }
        }
        else
        {
            var r = os.ResolveHost(host);
            var v4 = r.Ok
                ? r.Value.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                : null;
            if (v4 is null)
            {
                return (null, $"can't resolve host address '{host}'");
            }
            address = v4;
        }
        if (!StrToL(port, out long p))
        {
            return (null, $"port number '{port}' is invalid");
        }
        return (new InetSockAddr(address, (int)(p & 0xFFFF)), null);
    }

    /// <summary>IN_MULTICAST: 224.0.0.0/4.</summary>
    internal static bool IsMulticast(IPAddress a) =>
        a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && (a.GetAddressBytes()[0] & 0xF0) == 0xE0;

    /// <summary>
    /// glibc's inet_aton: one to four parts, each a C number (0x hex, leading 0 octal); the last part fills the
    /// bytes the others left (<c>1.2.3</c> is 1.2.0.3).
    /// </summary>
    private static bool InetAton(string text, out IPAddress address)
    {
        address = IPAddress.None;
        var parts = text.Split('.');
        if (parts.Length > 4)
        {
            return false;
        }
        var values = new ulong[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length == 0 || !char.IsAsciiDigit(parts[i][0])
                || !OptionValues.TryStrToULong(parts[i], 0, out values[i], out int end, out bool overflow)
                || overflow || end != parts[i].Length)
            {
                return false;
            }
        }
        int last = parts.Length - 1;
        ulong lastMax = last switch { 0 => 0xFFFFFFFF, 1 => 0xFFFFFF, 2 => 0xFFFF, _ => 0xFF };
        if (values[last] > lastMax || values[..last].Any(v => v > 0xFF))
        {
            return false;
        }
        ulong ip = values[last];
        for (int i = 0; i < last; i++)
        {
            ip |= values[i] << (24 - 8 * i);
        }
        address = new IPAddress(new[] { (byte)(ip >> 24), (byte)(ip >> 16), (byte)(ip >> 8), (byte)ip });
        return true;
    }

    /// <summary>
    /// qemu_strtol base 0 as convert_host_port calls it, with an end pointer: digits must come, what follows them
    /// is not looked at (<c>80x</c> is port 80).
    /// </summary>
    private static bool StrToL(string text, out long value)
    {
        value = 0;
        if (!OptionValues.TryStrToULong(text, 0, out ulong u, out _, out bool overflow) || overflow)
        {
            return false;
        }
        value = unchecked((long)u);
        return true;
    }

    private static string Port(InetSockAddr a) => a.Port.ToString(CultureInfo.InvariantCulture);

    private static NetdevInitResult Done(DgramBackend backend) => NetdevInitResult.Success(new NetClient[] { backend });
}
