using System.Net;
using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Sim;

namespace Tap.Tests.Sim;

/// <summary>
/// The simulated socket layer's addresses, listen, accept and connect (ST13) as a program sees them through
/// <see cref="IOsNet"/>, against the man pages (bind(2), listen(2), accept(2), connect(2), socket(7), unix(7)).
/// </summary>
public sealed class SimSocketPinsTests
{
    private static Fd Open(SimKernel k, SockDomain domain, SockType type) => k.Socket(domain, type).Value;

    private static InetSockAddr Lo(int port) => new(IPAddress.Loopback, port);

    private static Fd TcpListener(SimKernel k, SockAddr at, int backlog = 5)
    {
        var fd = Open(k, SockDomain.Inet, SockType.Stream);
        Assert.True(k.Bind(fd, at).Ok);
        Assert.True(k.Listen(fd, backlog).Ok);
        return fd;
    }

    /// <summary>A non-blocking TCP connect to <paramref name="to"/> and its SO_ERROR.</summary>
    private static (Fd Fd, Errno SoError) TcpConnect(SimKernel k, SockAddr to)
    {
        var fd = Open(k, SockDomain.Inet, SockType.Stream);
        Assert.Equal(Errno.EINPROGRESS, k.Connect(fd, to).Error);
        return (fd, k.TakeSocketError(fd).Value.Error);
    }

    [Fact(DisplayName = "ST13: socket calls on a closed fd are EBADF and on a fd that is no socket ENOTSOCK")]
    public void BadFds()
    {
        var k = new SimKernel(1);
        var closed = new Fd(40);
        var stdin = new Fd(0);
        Assert.Equal(Errno.EBADF, k.SetSockOpt(closed, SockOption.ReuseAddr, 1).Error);
        Assert.Equal(Errno.ENOTSOCK, k.SetSockOpt(stdin, SockOption.ReuseAddr, 1).Error);
        Assert.Equal(Errno.EBADF, k.SetSockOpt(closed, SockOption.KeepAlive, 1).Error);
        Assert.Equal(Errno.EBADF, k.JoinMulticast(closed, IPAddress.Parse("239.1.2.3"), IPAddress.Any).Error);
        Assert.Equal(Errno.ENOTSOCK, k.JoinMulticast(stdin, IPAddress.Parse("239.1.2.3"), IPAddress.Any).Error);
        Assert.Equal(Errno.EBADF, k.SetMulticastInterface(closed, IPAddress.Loopback).Error);
        Assert.Equal(Errno.EBADF, k.Listen(closed, 1).Error);
        Assert.Equal(Errno.ENOTSOCK, k.Listen(stdin, 1).Error);
        Assert.Equal(Errno.EBADF, k.Accept(closed).Error);
        Assert.Equal(Errno.EBADF, k.TakeSocketError(closed).Error);
        Assert.Equal(Errno.ENOTSOCK, k.TakeSocketError(stdin).Error);
    }

    [Fact(DisplayName = "ST13, socket(7): SO_REUSEADDR shares a UDP address only when both sockets set it")]
    public void ReuseAddrNeedsBoth()
    {
        var k = new SimKernel(1);
        Fd Udp(bool reuse)
        {
            var fd = Open(k, SockDomain.Inet, SockType.Dgram);
            Assert.True(k.SetSockOpt(fd, SockOption.ReuseAddr, reuse ? 1 : 0).Ok);
            return fd;
        }
        Assert.True(k.Bind(Udp(reuse: true), Lo(5000)).Ok);
        Assert.Equal(Errno.EADDRINUSE, k.Bind(Udp(reuse: false), Lo(5000)).Error);
        Assert.True(k.Bind(Udp(reuse: true), Lo(5000)).Ok);

        Assert.True(k.Bind(Udp(reuse: false), Lo(5001)).Ok);
        Assert.Equal(Errno.EADDRINUSE, k.Bind(Udp(reuse: true), Lo(5001)).Error);
    }

    [Fact(DisplayName = "ST13, bind(2): a port bound on the wildcard is taken on every address of its family")]
    public void WildcardTakesThePort()
    {
        var k = new SimKernel(1);
        Fd Tcp() => Open(k, SockDomain.Inet, SockType.Stream);
        Assert.True(k.Bind(Tcp(), new InetSockAddr(IPAddress.Any, 5000)).Ok);
        Assert.Equal(Errno.EADDRINUSE, k.Bind(Tcp(), Lo(5000)).Error);
        Assert.Equal(Errno.EADDRINUSE, k.Bind(Tcp(), new InetSockAddr(IPAddress.Parse("169.254.3.3"), 5000)).Error);
        Assert.True(k.Bind(Tcp(), Lo(5001)).Ok);
        Assert.Equal(Errno.EADDRINUSE, k.Bind(Tcp(), new InetSockAddr(IPAddress.Any, 5001)).Error);
        Assert.True(k.Bind(Tcp(), new InetSockAddr(IPAddress.Parse("169.254.3.3"), 5001)).Ok);
        var v6 = Open(k, SockDomain.Inet6, SockType.Stream);
        Assert.True(k.Bind(v6, new InetSockAddr(IPAddress.IPv6Loopback, 5000)).Ok);

        // socket(7): UDP sockets that both set SO_REUSEADDR may share it.
        Fd Udp()
        {
            var fd = Open(k, SockDomain.Inet, SockType.Dgram);
            Assert.True(k.SetSockOpt(fd, SockOption.ReuseAddr, 1).Ok);
            return fd;
        }
        Assert.True(k.Bind(Udp(), new InetSockAddr(IPAddress.Any, 6000)).Ok);
        Assert.True(k.Bind(Udp(), Lo(6000)).Ok);
        Assert.Equal(Errno.EADDRINUSE, k.Bind(Open(k, SockDomain.Inet, SockType.Dgram), Lo(6000)).Error);
    }

    [Fact(DisplayName = "ST13, bind(2): port 500 is free while port 5000 is taken (an address is its whole port)")]
    public void PortPrefixIsAnotherAddress()
    {
        var k = new SimKernel(1);
        Assert.True(k.Bind(Open(k, SockDomain.Inet, SockType.Stream), Lo(5000)).Ok);
        Assert.True(k.Bind(Open(k, SockDomain.Inet, SockType.Stream), Lo(500)).Ok);
        Assert.True(k.Bind(Open(k, SockDomain.Inet, SockType.Stream), Lo(50)).Ok);
        Assert.Equal(Errno.EADDRINUSE, k.Bind(Open(k, SockDomain.Inet, SockType.Stream), Lo(500)).Error);
    }

    [Fact(DisplayName = "ST13, unix(7): socket files, abstract names and inet ports are separate namespaces")]
    public void NamespacesAreSeparate()
    {
        // Names chosen to spell what another namespace's entry could look like inside a kernel's table.
        var k = new SimKernel(1);
        string[] names = { "tcp:127.0.0.1:5000", "inet:127.0.0.1:5000", "127.0.0.1:5000", "abstract-tcp:x", "unix:y" };
        foreach (string name in names)
        {
            Assert.True(k.Bind(Open(k, SockDomain.Unix, SockType.Stream), new UnixSockAddr(name)).Ok);
        }
        Assert.True(k.Bind(Open(k, SockDomain.Inet, SockType.Stream), Lo(5000)).Ok);
        foreach (string name in names.Concat(new[] { "x", "y" }))
        {
            Assert.True(k.Bind(Open(k, SockDomain.Unix, SockType.Stream), new UnixSockAddr(name, Abstract: true)).Ok);
        }
        Assert.True(k.Bind(Open(k, SockDomain.Inet, SockType.Stream), Lo(5001)).Ok);
        Assert.Equal(Errno.EADDRINUSE,
            k.Bind(Open(k, SockDomain.Unix, SockType.Stream), new UnixSockAddr("x", Abstract: true)).Error);
    }

    [Fact(DisplayName = "ST13, listen(2): an unbound unix stream socket is EINVAL; a datagram socket EOPNOTSUPP")]
    public void ListenNeedsABoundStream()
    {
        var k = new SimKernel(1);
        Assert.Equal(Errno.EINVAL, k.Listen(Open(k, SockDomain.Unix, SockType.Stream), 1).Error);
        var udp = Open(k, SockDomain.Inet, SockType.Dgram);
        Assert.True(k.Bind(udp, Lo(5000)).Ok);
        Assert.Equal(Errno.EOPNOTSUPP, k.Listen(udp, 1).Error);
        Assert.Equal(Errno.EOPNOTSUPP, k.Listen(Open(k, SockDomain.Inet, SockType.Dgram), 1).Error);
        var unixDgram = Open(k, SockDomain.Unix, SockType.Dgram);
        Assert.True(k.Bind(unixDgram, new UnixSockAddr("/run/d")).Ok);
        Assert.Equal(Errno.EOPNOTSUPP, k.Listen(unixDgram, 1).Error);
        Assert.Equal(Errno.EINVAL, k.Accept(udp).Error);
    }

    [Fact(DisplayName = "ST13, ip(7): listen on an unbound TCP socket binds it to the wildcard and an ephemeral port")]
    public void ListenAutobindsTcp()
    {
        var k = new SimKernel(1);
        var fd = Open(k, SockDomain.Inet, SockType.Stream);
        Assert.True(k.Listen(fd, 1).Ok);
        var local = Assert.IsType<InetSockAddr>(k.GetSockName(fd).Value);
        Assert.Equal(IPAddress.Any, local.Address);
        Assert.InRange(local.Port, 32768, 60999);
        Assert.Equal(Errno.None, TcpConnect(k, Lo(local.Port)).SoError);
        Assert.True(k.Accept(fd).Ok);
        Assert.Equal(Errno.EADDRINUSE, k.Bind(Open(k, SockDomain.Inet, SockType.Stream), Lo(local.Port)).Error);
    }

    [Fact(DisplayName = "ST13, ip(7): TCP and UDP ports are separate; so are abstract names of stream and dgram")]
    public void SpacesPerSocketType()
    {
        // QEMU can hold -netdev stream on port 5000 and -netdev dgram on port 5000 at once.
        var k = new SimKernel(1);
        Assert.True(k.Bind(Open(k, SockDomain.Inet, SockType.Stream), Lo(5000)).Ok);
        Assert.True(k.Bind(Open(k, SockDomain.Inet, SockType.Dgram), Lo(5000)).Ok);
        Assert.Equal(Errno.EADDRINUSE, k.Bind(Open(k, SockDomain.Inet, SockType.Stream), Lo(5000)).Error);
        Assert.Equal(Errno.EADDRINUSE, k.Bind(Open(k, SockDomain.Inet, SockType.Dgram), Lo(5000)).Error);
        Assert.True(k.Bind(Open(k, SockDomain.Inet, SockType.Dgram), Lo(5001)).Ok);
        Assert.True(k.Bind(Open(k, SockDomain.Inet, SockType.Stream), Lo(5001)).Ok);

        var name = new UnixSockAddr("qemu", Abstract: true);
        Assert.True(k.Bind(Open(k, SockDomain.Unix, SockType.Stream), name).Ok);
        Assert.True(k.Bind(Open(k, SockDomain.Unix, SockType.Dgram), name).Ok);
        Assert.Equal(Errno.EADDRINUSE, k.Bind(Open(k, SockDomain.Unix, SockType.Dgram), name).Error);
        // Socket files are one filesystem: a path is taken whatever the type.
        var file = new UnixSockAddr("/run/f");
        Assert.True(k.Bind(Open(k, SockDomain.Unix, SockType.Stream), file).Ok);
        Assert.Equal(Errno.EADDRINUSE, k.Bind(Open(k, SockDomain.Unix, SockType.Dgram), file).Error);
    }

    [Fact(DisplayName = "ST13, accept(2): EINVAL on a socket that does not listen, EAGAIN on a listener nobody called")]
    public void AcceptErrors()
    {
        var k = new SimKernel(1);
        var bound = Open(k, SockDomain.Unix, SockType.Stream);
        Assert.True(k.Bind(bound, new UnixSockAddr("/run/s")).Ok);
        Assert.Equal(Errno.EINVAL, k.Accept(bound).Error);
        Assert.True(k.Listen(bound, 1).Ok);
        Assert.Equal(Errno.EAGAIN, k.Accept(bound).Error);
        Assert.True(k.Connect(Open(k, SockDomain.Unix, SockType.Stream), new UnixSockAddr("/run/s")).Ok);
        Assert.True(k.Accept(bound).Ok);
        Assert.Equal(Errno.EAGAIN, k.Accept(bound).Error);
    }

    [Fact(DisplayName = "ST13, connect(2): a bound socket that does not listen refuses (unix now, TCP by SO_ERROR)")]
    public void BoundButNotListeningRefuses()
    {
        var k = new SimKernel(1);
        Assert.True(k.Bind(Open(k, SockDomain.Unix, SockType.Stream), new UnixSockAddr("/run/quiet")).Ok);
        Assert.Equal(Errno.ECONNREFUSED,
            k.Connect(Open(k, SockDomain.Unix, SockType.Stream), new UnixSockAddr("/run/quiet")).Error);
        Assert.True(k.Bind(Open(k, SockDomain.Unix, SockType.Stream), new UnixSockAddr("q", Abstract: true)).Ok);
        Assert.Equal(Errno.ECONNREFUSED,
            k.Connect(Open(k, SockDomain.Unix, SockType.Stream), new UnixSockAddr("q", Abstract: true)).Error);
        Assert.True(k.Bind(Open(k, SockDomain.Inet, SockType.Stream), Lo(5000)).Ok);
        Assert.Equal(Errno.ECONNREFUSED, TcpConnect(k, Lo(5000)).SoError);
    }

    [Fact(DisplayName = "ST13, connect(2): a listener on 0.0.0.0:P takes connects to any local address on P, not on Q")]
    public void WildcardListener()
    {
        var k = new SimKernel(1);
        var listener = TcpListener(k, new InetSockAddr(IPAddress.Any, 5000));
        Assert.Equal(Errno.None, TcpConnect(k, Lo(5000)).SoError);
        Assert.Equal(Errno.None, TcpConnect(k, new InetSockAddr(IPAddress.Parse("169.254.7.1"), 5000)).SoError);
        Assert.Equal(Errno.ECONNREFUSED, TcpConnect(k, Lo(5001)).SoError);
        Assert.Equal(Errno.ECONNREFUSED, TcpConnect(k, Lo(500)).SoError);
        Assert.True(k.Accept(listener).Ok);
        Assert.True(k.Accept(listener).Ok);
        Assert.Equal(Errno.EAGAIN, k.Accept(listener).Error);

        var specific = TcpListener(k, Lo(6000));
        Assert.Equal(Errno.ECONNREFUSED, TcpConnect(k, new InetSockAddr(IPAddress.Parse("169.254.7.1"), 6000)).SoError);
        Assert.Equal(Errno.None, TcpConnect(k, Lo(6000)).SoError);
        Assert.True(k.Accept(specific).Ok);
    }

    [Fact(DisplayName = "ST13, listen(2): listen(fd, 1) lets two connections wait; the third finds the backlog full")]
    public void BacklogPlusOneWait()
    {
        var k = new SimKernel(1);
        var unix = Open(k, SockDomain.Unix, SockType.Stream);
        Assert.True(k.Bind(unix, new UnixSockAddr("/run/b")).Ok);
        Assert.True(k.Listen(unix, 1).Ok);
        Errno Dial() => k.Connect(Open(k, SockDomain.Unix, SockType.Stream), new UnixSockAddr("/run/b")).Error;
        Assert.Equal(Errno.None, Dial());
        Assert.Equal(Errno.None, Dial());
        Assert.Equal(Errno.EAGAIN, Dial());   // connect(2): EAGAIN for a nonblocking unix socket
        Assert.True(k.Accept(unix).Ok);
        Assert.Equal(Errno.None, Dial());

        var tcp = TcpListener(k, Lo(5000), backlog: 0);
        Assert.Equal(Errno.None, TcpConnect(k, Lo(5000)).SoError);
        var (third, error) = TcpConnect(k, Lo(5000));
        // A full TCP backlog drops the SYN: the connect never completes (refused or timed out, never EAGAIN).
        Assert.Contains(error, new[] { Errno.ECONNREFUSED, Errno.ETIMEDOUT });
        Assert.Equal(Errno.ENOTCONN, k.GetPeerName(third).Error);
        Assert.True(k.Accept(tcp).Ok);
        Assert.Equal(Errno.EAGAIN, k.Accept(tcp).Error);
    }

    [Fact(DisplayName = "ST13, getsockname(2): a bound client keeps its address; an unbound one gets a port or none")]
    public void ClientAddresses()
    {
        var k = new SimKernel(1);
        var listener = TcpListener(k, Lo(5000));
        var bound = Open(k, SockDomain.Inet, SockType.Stream);
        Assert.True(k.Bind(bound, Lo(6001)).Ok);
        Assert.Equal(Errno.EINPROGRESS, k.Connect(bound, Lo(5000)).Error);
        Assert.Equal(Lo(6001), k.GetSockName(bound).Value);
        var server = k.Accept(listener).Value;
        Assert.Equal(Lo(6001), k.GetPeerName(server).Value);
        Assert.Equal(Lo(5000), k.GetSockName(server).Value);

        var (free, _) = TcpConnect(k, Lo(5000));
        var ephemeral = Assert.IsType<InetSockAddr>(k.GetSockName(free).Value);
        Assert.Equal(IPAddress.Loopback, ephemeral.Address);
        Assert.InRange(ephemeral.Port, 32768, 60999);   // ip_local_port_range's default

        var unixListener = Open(k, SockDomain.Unix, SockType.Stream);
        Assert.True(k.Bind(unixListener, new UnixSockAddr("/run/u")).Ok);
        Assert.True(k.Listen(unixListener, 1).Ok);
        var unixClient = Open(k, SockDomain.Unix, SockType.Stream);
        Assert.True(k.Connect(unixClient, new UnixSockAddr("/run/u")).Ok);
        // unix(7): an unbound socket is unnamed; getsockname gives an empty path.
        Assert.Equal(new UnixSockAddr(""), k.GetSockName(unixClient).Value);
        Assert.Equal(new UnixSockAddr("/run/u"), k.GetPeerName(unixClient).Value);
        Assert.Equal(new UnixSockAddr(""), k.GetPeerName(k.Accept(unixListener).Value).Value);
    }

    [Fact(DisplayName = "ST13: socketpair's ends are unnamed unix sockets, each the other's peer")]
    public void SocketPairIsUnnamed()
    {
        var k = new SimKernel(1);
        var (ours, theirs) = k.AddSocketPair(SockType.Stream);
        Assert.Equal(new UnixSockAddr(""), k.GetSockName(ours).Value);
        Assert.Equal(new UnixSockAddr(""), k.GetPeerName(ours).Value);
        Assert.Equal(new UnixSockAddr(""), k.GetSockName(theirs).Value);
        Assert.Equal(new UnixSockAddr(""), k.GetPeerName(theirs).Value);
    }

    [Fact(DisplayName = "ST13, ip(7): ephemeral ports are never handed out twice (bind to port 0, connect, sendto)")]
    public void EphemeralPortsAreDistinct()
    {
        // TCP and UDP ports are separate spaces: each must be distinct within its own protocol.
        var k = new SimKernel(1);
        TcpListener(k, Lo(5000));
        Assert.True(k.Bind(Open(k, SockDomain.Inet, SockType.Dgram), Lo(7000)).Ok);
        var tcpPorts = new List<int>();
        var udpPorts = new List<int>();
        void Note(List<int> ports, Fd fd) => ports.Add(Assert.IsType<InetSockAddr>(k.GetSockName(fd).Value).Port);
        void BindZero(List<int> ports, SockType type)
        {
            var fd = Open(k, SockDomain.Inet, type);
            Assert.True(k.Bind(fd, Lo(0)).Ok);
            Note(ports, fd);
        }
        for (int round = 0; round < 2; round++)
        {
            BindZero(tcpPorts, SockType.Stream);
            Note(tcpPorts, TcpConnect(k, Lo(5000)).Fd);
            BindZero(tcpPorts, SockType.Stream);
            BindZero(udpPorts, SockType.Dgram);
            var sender = Open(k, SockDomain.Inet, SockType.Dgram);
            Assert.Equal(1, k.SendTo(sender, new byte[] { 1 }, Lo(7000)).Value);
            Note(udpPorts, sender);
            BindZero(udpPorts, SockType.Dgram);
        }
        Assert.Equal(tcpPorts.Count, tcpPorts.Distinct().Count());
        Assert.Equal(udpPorts.Count, udpPorts.Distinct().Count());
        Assert.All(tcpPorts.Concat(udpPorts), p => Assert.InRange(p, 32768, 60999));
    }

    [Fact(DisplayName = "ST13, ip(7): a port the kernel picked on connect or sendto is held: replies reach it")]
    public void ImplicitPortsAreHeld()
    {
        var k = new SimKernel(1);
        var server = Open(k, SockDomain.Inet, SockType.Dgram);
        Assert.True(k.Bind(server, Lo(7000)).Ok);
        var client = Open(k, SockDomain.Inet, SockType.Dgram);
        Assert.Equal(2, k.SendTo(client, new byte[] { 1, 2 }, Lo(7000)).Value);
        Assert.Equal(2, k.Read(server, new byte[8]).Value);
        int port = Assert.IsType<InetSockAddr>(k.GetSockName(client).Value).Port;
        Assert.Equal(3, k.SendTo(server, new byte[] { 3, 4, 5 }, Lo(port)).Value);
        Assert.Equal(3, k.Read(client, new byte[8]).Value);
        Assert.Equal(Errno.EADDRINUSE, k.Bind(Open(k, SockDomain.Inet, SockType.Dgram), Lo(port)).Error);

        TcpListener(k, Lo(5000));
        var (tcp, error) = TcpConnect(k, Lo(5000));
        Assert.Equal(Errno.None, error);
        var taken = Assert.IsType<InetSockAddr>(k.GetSockName(tcp).Value);
        Assert.Equal(Errno.EADDRINUSE, k.Bind(Open(k, SockDomain.Inet, SockType.Stream), taken).Error);
        Assert.True(k.Close(tcp).Ok);
        Assert.True(k.Bind(Open(k, SockDomain.Inet, SockType.Stream), taken).Ok);
    }

    [Fact(DisplayName = "ST13, getsockopt(2): SO_ERROR is read once; then a refused socket's write is EPIPE")]
    public void SoErrorEndsTheConnect()
    {
        var k = new SimKernel(1);
        var fd = Open(k, SockDomain.Inet, SockType.Stream);
        Assert.Equal(Errno.EINPROGRESS, k.Connect(fd, Lo(5000)).Error);
        // Still connecting (SYN_SENT): a non-blocking write would block.
        Assert.Equal(Errno.EAGAIN, k.Write(fd, new byte[] { 1 }, default).Error);
        Assert.Equal(Errno.ECONNREFUSED, k.TakeSocketError(fd).Value.Error);
        Assert.Equal(Errno.None, k.TakeSocketError(fd).Value.Error);
        Assert.Equal(Errno.EPIPE, k.Write(fd, new byte[] { 1 }, default).Error);
    }

    [Fact(DisplayName = "ST13: every socket is its own: UDP sockets sharing a multicast address all hear a datagram")]
    public void SocketsStayDistinct()
    {
        // However the sockets, socketpairs and connections before them were made.
        var group = IPAddress.Parse("239.1.2.3");
        var k = new SimKernel(1);
        var listener = TcpListener(k, Lo(5000));
        var client = Open(k, SockDomain.Inet, SockType.Stream);
        var members = new List<Fd>();
        Fd Member()
        {
            var fd = Open(k, SockDomain.Inet, SockType.Dgram);
            Assert.True(k.SetSockOpt(fd, SockOption.ReuseAddr, 1).Ok);
            Assert.True(k.Bind(fd, new InetSockAddr(group, 6000)).Ok);
            Assert.True(k.JoinMulticast(fd, group, IPAddress.Any).Ok);
            members.Add(fd);
            return fd;
        }
        Member();
        Open(k, SockDomain.Inet, SockType.Dgram);
        k.AddSocketPair(SockType.Stream);
        Open(k, SockDomain.Inet, SockType.Dgram);
        Member();
        Member();
        Assert.Equal(Errno.EINPROGRESS, k.Connect(client, Lo(5000)).Error);
        Member();
        Member();
        k.AddSocketPair(SockType.Dgram);
        Member();
        Assert.True(k.Accept(listener).Ok);

        var sender = Open(k, SockDomain.Inet, SockType.Dgram);
        Assert.Equal(3, k.SendTo(sender, new byte[] { 7, 8, 9 }, new InetSockAddr(group, 6000)).Value);
        var buffer = new byte[16];
        Assert.All(members, m => Assert.Equal(3, k.Read(m, buffer).Value));
        Assert.All(members, m => Assert.Equal(Errno.EAGAIN, k.Read(m, buffer).Error));
    }
}
