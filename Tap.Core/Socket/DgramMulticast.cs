using System.Net;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;

namespace Tap.Core.Socket;

/// <summary>QEMU's net_dgram_mcast_init: a remote multicast group, joined on a socket bound to it (DG6).</summary>
internal static class Multicast
{
    public static NetdevInitResult Run(NetStack stack, IOsNet os, string id, InetSockAddr group,
        SocketAddressOptions? local)
    {
        IPAddress? localAddress = null;
        switch (local)
        {
            case null:
                break;
            case InetAddressOptions l:
                if (!IPAddress.TryParse(l.Host, out localAddress)
                    || localAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
                {
                    return NetdevInitResult.Fail($"localaddr '{l.Host}' is not a valid IPv4 address");
                }
                break;
            case FdAddressOptions:
                // QEMU reads this branch's fd string as an inet host and a missing port: it always fails so.
                return NetdevInitResult.Fail("port number '(null)' is invalid");
            default:
                return NetdevInitResult.Fail("only support inet or fd type for local");
        }

        var s = os.Socket(SockDomain.Inet, SockType.Dgram);
        if (!s.Ok)
        {
            return NetdevInitResult.Fail(SocketSetup.WithErrno("can't create datagram socket", s.Error));
        }
        var fd = s.Value;
        string? error = null;
        if (os.SetSockOpt(fd, SockOption.ReuseAddr, 1) is { Ok: false } e1)
        {
            error = SocketSetup.WithErrno("can't set socket option SO_REUSEADDR", e1.Error);
        }
        else if (os.Bind(fd, group) is { Ok: false } e2)
        {
            error = SocketSetup.WithErrno($"can't bind ip={group.Host} to socket", e2.Error);
        }
        else if (os.JoinMulticast(fd, group.Address, localAddress ?? IPAddress.Any) is { Ok: false } e3)
        {
            error = SocketSetup.WithErrno($"can't add socket to multicast group {group.Host}", e3.Error);
        }
        else if (os.SetSockOpt(fd, SockOption.MulticastLoop, 1) is { Ok: false } e4)
        {
            // Several QEMUs (or tapnets) on one host hear each other.
            error = SocketSetup.WithErrno("can't force multicast message to loopback", e4.Error);
        }
        else if (localAddress is not null && os.SetMulticastInterface(fd, localAddress) is { Ok: false } e5)
        {
            error = SocketSetup.WithErrno("can't set the default network send interface", e5.Error);
        }
        if (error is not null)
        {
            os.Close(fd);
            return NetdevInitResult.Fail(error);
        }
        _ = os.SetNonBlocking(fd);
        var backend = new DgramBackend(stack, id, os, fd, group, $"mcast={group.Host}:{group.Port}", null);
        return NetdevInitResult.Success(new NetClient[] { backend });
    }
}
