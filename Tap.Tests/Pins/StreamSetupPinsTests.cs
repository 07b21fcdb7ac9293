using System.Net;
using Tap.Core.Abi;
using Tap.Core.Net;
using Tap.Core.Os;
using Tap.Core.Socket;
using Tap.Sim;
using Tap.Tests.Sockets;

namespace Tap.Tests.Pins;

/// <summary>
/// ST4, ST8-ST10, ST12: how a stream netdev sets up its socket (util/qemu-sockets.c's resolution, listen and
/// connect, net/stream.c's messages), down to the calls the kernel saw. The failures the simulator does not make by
/// itself come from <see cref="FaultyOs"/>. A setup failure is no init error: the netdev exists, its info string
/// says <c>error: ...</c> and one warning names it.
/// </summary>
public sealed class StreamSetupPinsTests
{
    private readonly SimKernel _kernel = new(21);
    private readonly NetStack _stack = new();

    private StreamBackend Create(string arg, IOsNet? os = null) => SocketNetdevs.Stream(_stack, os ?? _kernel, arg);

    private IEnumerable<string> Calls(string prefix) =>
        _kernel.Record.Lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal));

    private Fd ListenOn(string address, int port)
    {
        var fd = _kernel.Socket(SockDomain.Inet, SockType.Stream).Value;
        Assert.True(_kernel.Bind(fd, new InetSockAddr(IPAddress.Parse(address), port)).Ok);
        Assert.True(_kernel.Listen(fd, 1).Ok);
        return fd;
    }

    [Fact(DisplayName = "ST4: a service name as port fails resolution as getaddrinfo says")]
    public void BadPort()
    {
        const string port = "x";
        var s = Create($"stream,id=s0,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port={port}");
        Assert.Equal($"error: address resolution failed for 127.0.0.1:{port}: Servname not supported for ai_socktype",
            s.InfoStr);
        Assert.Equal(new[] { $"netdev s0: address resolution failed for 127.0.0.1:{port}: "
            + "Servname not supported for ai_socktype" }, _kernel.Reports.Select(r => r.Message));
        Assert.Empty(Calls("Socket "));
    }

    [Fact(DisplayName = "ST4: port 65535 is a port; the listen backlog is 1 (one peer waits, ST8)")]
    public void HighestPortAndBacklog()
    {
        var s = Create("stream,id=s0,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=65535");
        Assert.Equal("listening", s.InfoStr);
        Assert.Single(Calls("Listen "), l => l.EndsWith(" 1 -> ok", StringComparison.Ordinal));
        Assert.Single(Calls("SetSockOpt "), l => l.Contains("ReuseAddr 1", StringComparison.Ordinal));
    }

    [Theory(DisplayName = "ST4: an empty host listens on the wildcard of the family asked for")]
    [InlineData("", "0.0.0.0")]
    [InlineData(",addr.ipv4=on", "0.0.0.0")]
    [InlineData(",addr.ipv6=off", "0.0.0.0")]
    [InlineData(",addr.ipv6=on,addr.ipv4=off", "::")]
    [InlineData(",addr.ipv4=off", "::")]
    [InlineData(",addr.ipv6=on", "::")]
    public void WildcardListen(string family, string wildcard)
    {
        var s = Create($"stream,id=s0,server=on,addr.type=inet,addr.host=,addr.port=7000{family}");
        Assert.Equal("listening", s.InfoStr);
        Assert.Single(Calls("Bind "), l => l.EndsWith($"i:{wildcard}:7000\" -> ok", StringComparison.Ordinal));
    }

    [Fact(DisplayName = "ST4: a literal of a family switched off resolves to nothing")]
    public void LiteralOfOtherFamily()
    {
        var s = Create("stream,id=s0,addr.type=inet,addr.host=127.0.0.1,addr.port=7001,addr.ipv4=off");
        Assert.Equal("error: address resolution failed for 127.0.0.1:7001: Name or service not known", s.InfoStr);
        var v6 = Create("stream,id=s1,addr.type=inet,addr.host=::1,addr.port=7001,addr.ipv6=off");
        Assert.Equal("error: address resolution failed for ::1:7001: Name or service not known", v6.InfoStr);
    }

    [Fact(DisplayName = "ST4, ST10: a name resolves through the OS; numeric=on refuses a name without asking")]
    public void NameResolution()
    {
        ListenOn("169.254.3.1", 7002);
        _kernel.AddHost("peer", IPAddress.Parse("169.254.3.1"));
        var s = Create("stream,id=s0,addr.type=inet,addr.host=peer,addr.port=7002");
        _kernel.RunUntilIdle();
        Assert.Equal("tcp:169.254.3.1:7002", s.InfoStr);

        int asked = Calls("ResolveHost ").Count();
        var n = Create("stream,id=s1,addr.type=inet,addr.host=peer,addr.port=7002,addr.numeric=on");
        Assert.Equal("error: address resolution failed for peer:7002: Name or service not known", n.InfoStr);
        Assert.Equal(asked, Calls("ResolveHost ").Count());
        var unknown = Create("stream,id=s2,addr.type=inet,addr.host=nosuch,addr.port=7002");
        Assert.Equal("error: address resolution failed for nosuch:7002: Name or service not known", unknown.InfoStr);
    }

    [Fact(DisplayName = "ST10: each resolved address is tried in turn (inet_connect_saddr); ipv4=off skips IPv4 ones")]
    public void Candidates()
    {
        ListenOn("169.254.3.2", 7003);
        _kernel.AddHost("two", IPAddress.Parse("127.0.0.1"), IPAddress.Parse("169.254.3.2"));
        int before = _kernel.OpenFds.Count;
        var s = Create("stream,id=s0,addr.type=inet,addr.host=two,addr.port=7003");
        _kernel.RunUntilIdle();
        Assert.Equal("tcp:169.254.3.2:7003", s.InfoStr);
        Assert.Empty(_kernel.Reports);
        Assert.Equal(2, Calls("Connect ").Count());
        Assert.Equal(before + 1, _kernel.OpenFds.Count); // the refused socket was closed

        _kernel.AddHost("none", IPAddress.Parse("127.0.0.1"), IPAddress.Parse("127.0.0.2"));
        var refused = Create("stream,id=s1,addr.type=inet,addr.host=none,addr.port=7003");
        _kernel.RunUntilIdle();
        Assert.Equal("error: Failed to connect to 'none:7003': Connection refused", refused.InfoStr);
        Assert.Equal(before + 1, _kernel.OpenFds.Count);

        _kernel.AddHost("mixed", IPAddress.Parse("::1"), IPAddress.Parse("169.254.3.2"));
        var v6only = Create("stream,id=s2,addr.type=inet,addr.host=mixed,addr.port=7003,addr.ipv4=off");
        _kernel.RunUntilIdle();
        Assert.Equal("error: Failed to connect to 'mixed:7003': Connection refused", v6only.InfoStr);
    }

    [Fact(DisplayName = "ST10: a TCP client turns Nagle off and keep-alive on when asked; a unix client does neither")]
    public void ClientSocketOptions()
    {
        ListenOn("169.254.3.3", 7004);
        var s = Create("stream,id=s0,addr.type=inet,addr.host=169.254.3.3,addr.port=7004,addr.keep-alive=on");
        _kernel.RunUntilIdle();
        Assert.True(s.IsConnected);
        Assert.Single(Calls("SetSockOpt "), l => l.Contains("KeepAlive 1", StringComparison.Ordinal));
        Assert.Single(Calls("SetSockOpt "), l => l.Contains("TcpNoDelay 1", StringComparison.Ordinal));

        int options = Calls("SetSockOpt ").Count();
        var noKeep = Create("stream,id=s1,addr.type=inet,addr.host=169.254.3.3,addr.port=7004,addr.keep-alive=off");
        _kernel.RunUntilIdle();
        Assert.Equal(options + 1, Calls("SetSockOpt ").Count()); // TCP_NODELAY only

        Create("stream,id=s2,server=on,addr.type=unix,addr.path=/tmp/ss0.sock");
        options = Calls("SetSockOpt ").Count();
        var unix = Create("stream,id=s3,addr.type=unix,addr.path=/tmp/ss0.sock");
        _kernel.RunUntilIdle();
        Assert.Equal("unix:/tmp/ss0.sock", unix.InfoStr);
        Assert.Equal(options, Calls("SetSockOpt ").Count());
    }

    [Fact(DisplayName = "ST4: to= tries the next ports while they are in use, then says none was free")]
    public void PortRange()
    {
        ListenOn("127.0.0.1", 7010);
        ListenOn("127.0.0.1", 7011);
        int before = _kernel.OpenFds.Count;
        int binds = Calls("Bind ").Count();
        var s = Create("stream,id=s0,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=7010,addr.to=7012");
        Assert.Equal("listening", s.InfoStr);
        Assert.Equal(new[] { "7010\" -> err EADDRINUSE", "7011\" -> err EADDRINUSE", "7012\" -> ok" },
            Calls("Bind ").Skip(binds).Select(l => l[(l.LastIndexOf(':') + 1)..]));
        Assert.Equal(before + 1, _kernel.OpenFds.Count);

        var full = Create("stream,id=s1,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=7010,addr.to=7012");
        Assert.Equal("error: Failed to find an available port: Address already in use", full.InfoStr);
        Assert.Equal(before + 1, _kernel.OpenFds.Count);
    }

    [Fact(DisplayName = "ST4: a bind error other than EADDRINUSE stops at once: 'Failed to bind socket'")]
    public void BindError()
    {
        _kernel.UnassignedAddresses.Add(IPAddress.Parse("169.254.250.1"));
        int before = _kernel.OpenFds.Count;
        var s = Create("stream,id=s0,server=on,addr.type=inet,addr.host=169.254.250.1,addr.port=7020,addr.to=7025");
        Assert.Equal("error: Failed to bind socket: Cannot assign requested address", s.InfoStr);
        Assert.Single(Calls("Bind "));
        Assert.Equal(before, _kernel.OpenFds.Count);
    }

    [Fact(DisplayName = "ST4: inet listen as inet_listen_saddr: socket() refused, listen refused, a port in use")]
    public void InetListenFailures()
    {
        int before = _kernel.OpenFds.Count;
        var os = new FaultyOs(_kernel).Fail(nameof(IOsNet.Socket), Errno.EMFILE);
        Assert.Equal("error: Failed to create a socket: Too many open files",
            Create("stream,id=s0,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=7030", os).InfoStr);
        os.Fail(nameof(IOsNet.Listen), Errno.EOPNOTSUPP);
        Assert.Equal("error: Failed to listen on socket: Operation not supported",
            Create("stream,id=s1,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=7031,addr.to=7035", os)
                .InfoStr);
        Assert.Equal(before, _kernel.OpenFds.Count);

        // A listen that finds the port taken moves on to the next port, as a bind does.
        os.Fail(nameof(IOsNet.Listen), Errno.EADDRINUSE);
        var next = Create("stream,id=s2,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=7032,addr.to=7033", os);
        Assert.Equal("listening", next.InfoStr);
        Assert.EndsWith(":7033\" -> ok", Calls("Bind ").Last());
        Assert.Equal(before + 1, _kernel.OpenFds.Count);
    }

    [Fact(DisplayName = "ST4: a first socket() refused skips that address; a later one is fatal")]
    public void InetListenSocketPerAddress()
    {
        _kernel.AddHost("both", IPAddress.Parse("::1"), IPAddress.Parse("127.0.0.1"));
        var os = new FaultyOs(_kernel).Fail(nameof(IOsNet.Socket), Errno.EAFNOSUPPORT);
        var s = Create("stream,id=s0,server=on,addr.type=inet,addr.host=both,addr.port=7040", os);
        Assert.Equal("listening", s.InfoStr);
        Assert.EndsWith("i:127.0.0.1:7040\" -> ok", Calls("Bind ").Single());

        ListenOn("127.0.0.1", 7041);
        os.Fail(nameof(IOsNet.Socket), Errno.EMFILE, nth: 2);
        var t = Create("stream,id=s1,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=7041,addr.to=7042", os);
        Assert.Equal("error: Failed to recreate failed listening socket: Too many open files", t.InfoStr);
    }

    [Fact(DisplayName = "ST4: a bind error other than EADDRINUSE ends the listen at once, other addresses untried")]
    public void InetBindErrorIsFinal()
    {
        _kernel.UnassignedAddresses.Add(IPAddress.Parse("169.254.250.1"));
        _kernel.AddHost("far", IPAddress.Parse("169.254.250.1"), IPAddress.Parse("127.0.0.1"));
        int binds = Calls("Bind ").Count();
        var s = Create("stream,id=s0,server=on,addr.type=inet,addr.host=far,addr.port=7045", _kernel);
        Assert.Equal("error: Failed to bind socket: Cannot assign requested address", s.InfoStr);
        Assert.Equal(binds + 1, Calls("Bind ").Count());
    }

    [Fact(DisplayName = "ST10: a client's socket() refused: inet names the family by number; the next address is tried")]
    public void ClientInetSocketRefused()
    {
        var os = new FaultyOs(_kernel).Fail(nameof(IOsNet.Socket), Errno.EMFILE);
        Assert.Equal("error: Failed to create socket family 2: Too many open files",
            Create("stream,id=s0,addr.type=inet,addr.host=127.0.0.1,addr.port=7050", os).InfoStr);
        os.Fail(nameof(IOsNet.Socket), Errno.EAFNOSUPPORT);
        Assert.Equal("error: Failed to create socket family 10: Address family not supported by protocol",
            Create("stream,id=s1,addr.type=inet,addr.host=::1,addr.port=7050", os).InfoStr);

        ListenOn("169.254.3.5", 7051);
        _kernel.AddHost("v6first", IPAddress.Parse("::1"), IPAddress.Parse("169.254.3.5"));
        os.Fail(nameof(IOsNet.Socket), Errno.EAFNOSUPPORT);
        var s = Create("stream,id=s2,addr.type=inet,addr.host=v6first,addr.port=7051", os);
        _kernel.RunUntilIdle();
        Assert.Equal("tcp:169.254.3.5:7051", s.InfoStr);
    }

    [Fact(DisplayName = "ST9: the unix server's steps fail with QEMU's messages and leave no fd open")]
    public void UnixServerFailures()
    {
        int before = _kernel.OpenFds.Count;
        var os = new FaultyOs(_kernel).Fail(nameof(IOsNet.Socket), Errno.EMFILE);
        Assert.Equal("error: Failed to create Unix socket: Too many open files",
            Create("stream,id=s0,server=on,addr.type=unix,addr.path=/tmp/u0.sock", os).InfoStr);
        os.Fail(nameof(IOsNet.Unlink), Errno.EACCES);
        Assert.Equal("error: Failed to unlink socket /tmp/u1.sock: Permission denied",
            Create("stream,id=s1,server=on,addr.type=unix,addr.path=/tmp/u1.sock", os).InfoStr);
        os.Fail(nameof(IOsNet.Listen), Errno.EADDRINUSE);
        Assert.Equal("error: Failed to listen on socket: Address already in use",
            Create("stream,id=s2,server=on,addr.type=unix,addr.path=/tmp/u2.sock", os).InfoStr);
        os.Fail(nameof(IOsNet.SetNonBlocking), Errno.EBADF);
        Assert.Equal("error: Failed to set FD nonblocking: Bad file descriptor",
            Create("stream,id=s3,server=on,addr.type=unix,addr.path=/tmp/u3.sock", os).InfoStr);
        Assert.Equal(before, _kernel.OpenFds.Count);
        Assert.Equal(4, _kernel.Reports.Count);
    }

    [Fact(DisplayName = "ST9: an abstract unix server neither unlinks nor leaves a file; a path server unlinks first")]
    public void AbstractServer()
    {
        var a = Create("stream,id=s0,server=on,addr.type=unix,addr.path=abs0,addr.abstract=on");
        Assert.Equal("listening", a.InfoStr);
        Assert.Empty(Calls("Unlink "));
        _stack.Delete(a);
        Assert.Empty(Calls("Unlink "));

        var p = Create("stream,id=s1,server=on,addr.type=unix,addr.path=/tmp/p0.sock");
        Assert.Single(Calls("Unlink "));
        _stack.Delete(p);
        Assert.Equal(2, Calls("Unlink ").Count());
        Assert.DoesNotContain("/tmp/p0.sock", _kernel.SocketFiles);
    }

    [Theory(DisplayName = "ST4: a unix path longer than sun_path is refused before any socket is made")]
    [InlineData(false)]
    [InlineData(true)]
    public void UnixPathTooLong(bool isAbstract)
    {
        string path = "/" + new string('p', 119);
        var s = Create($"stream,id=s0,addr.type=unix,addr.path={path},addr.abstract={(isAbstract ? "on" : "off")}");
        Assert.Equal($"error: UNIX socket path '{path}' is too long", s.InfoStr);
        var l = Create($"stream,id=s1,server=on,addr.type=unix,addr.path={path},addr.abstract={(isAbstract ? "on" : "off")}");
        Assert.Equal($"error: UNIX socket path '{path}' is too long", l.InfoStr);
        Assert.Empty(Calls("Socket "));
    }

    [Theory(DisplayName = "ST4: a stream's unix path may fill sun_path: 108 bytes, 107 when abstract")]
    [InlineData(108, false, true)]
    [InlineData(109, false, false)]
    [InlineData(107, true, true)]
    [InlineData(108, true, false)]
    public void UnixPathLength(int length, bool isAbstract, bool fits)
    {
        string path = "/" + new string('p', length - 1);
        var s = Create($"stream,id=s0,addr.type=unix,addr.path={path},addr.abstract={(isAbstract ? "on" : "off")}");
        Assert.Equal(fits
            ? $"error: Failed to connect to '{path}': " + (isAbstract ? "Connection refused" : "No such file or directory")
            : $"error: UNIX socket path '{path}' is too long", s.InfoStr);
        var server = Create($"stream,id=s1,server=on,addr.type=unix,addr.path={path},"
            + $"addr.abstract={(isAbstract ? "on" : "off")}");
        Assert.Equal(fits ? "listening" : $"error: UNIX socket path '{path}' is too long", server.InfoStr);
    }

    [Fact(DisplayName = "ST4: a client with an empty host resolves nothing; a server binds the host it was given")]
    public void HostForClientAndServer()
    {
        var c = Create("stream,id=s0,addr.type=inet,addr.host=,addr.port=7060");
        Assert.Equal("error: address resolution failed for :7060: Name or service not known", c.InfoStr);
        Create("stream,id=s1,server=on,addr.type=inet,addr.host=169.254.3.9,addr.port=7061");
        Assert.EndsWith("i:169.254.3.9:7061\" -> ok", Calls("Bind ").Single());
    }

    [Fact(DisplayName = "ST4: ipv4=on alone keeps only the IPv4 answers of a name")]
    public void Ipv4OnAlone()
    {
        ListenOn("169.254.3.6", 7070);
        _kernel.AddHost("mixed", IPAddress.Parse("::1"), IPAddress.Parse("169.254.3.6"));
        var s = Create("stream,id=s0,addr.type=inet,addr.host=mixed,addr.port=7070,addr.ipv4=on");
        _kernel.RunUntilIdle();
        Assert.Equal("tcp:169.254.3.6:7070", s.InfoStr);
        Assert.Single(Calls("Connect "));
    }

    [Theory(DisplayName = "ST4: tight is on unless given off, and reaches the kernel with the address")]
    [InlineData("", true)]
    [InlineData(",addr.tight=on", true)]
    [InlineData(",addr.tight=off", false)]
    public void Tight(string tight, bool expected)
    {
        var os = new FaultyOs(_kernel);
        Create($"stream,id=s0,addr.type=unix,addr.path=abs1,addr.abstract=on{tight}", os);
        Assert.Equal(new UnixSockAddr("abs1", true, expected), os.Connected.Single());
    }

    [Fact(DisplayName = "ST10: connect failing at once (not EINPROGRESS) says so with the address")]
    public void ConnectFailsAtOnce()
    {
        var os = new FaultyOs(_kernel).Fail(nameof(IOsNet.Connect), Errno.ENETUNREACH);
        var s = Create("stream,id=s0,addr.type=inet,addr.host=127.0.0.1,addr.port=7071", os);
        Assert.Equal("error: Failed to connect to '127.0.0.1:7071': Network is unreachable", s.InfoStr);
    }

    [Fact(DisplayName = "ST10: SO_ERROR that cannot be read counts as the connect's failure")]
    public void SocketErrorUnreadable()
    {
        ListenOn("169.254.3.7", 7072);
        var os = new FaultyOs(_kernel).Fail(nameof(IOsNet.TakeSocketError), Errno.EBADF);
        var s = Create("stream,id=s0,addr.type=inet,addr.host=169.254.3.7,addr.port=7072", os);
        _kernel.RunUntilIdle();
        Assert.Equal("error: Failed to connect to '169.254.3.7:7072': Bad file descriptor", s.InfoStr);
    }

    [Fact(DisplayName = "ST10: a unix connect in progress that fails names the path")]
    public void UnixConnectInProgressFails()
    {
        var os = new FaultyOs(_kernel).Fail(nameof(IOsNet.Connect), Errno.EINPROGRESS)
            .Fail(nameof(IOsNet.TakeSocketError), Errno.ECONNREFUSED);
        var s = Create("stream,id=s0,addr.type=unix,addr.path=/tmp/ip.sock", os);
        Assert.Equal("connecting", s.InfoStr);
        s.OnWritable(); // the kernel never saw the connect, so the test plays the writable event
        Assert.Equal("error: Failed to connect to '/tmp/ip.sock': Connection refused", s.InfoStr);
    }

    [Fact(DisplayName = "ST4: fd 0 is a number like any other; a peer the kernel cannot name is 'unknown address type'")]
    public void FdZeroAndUnnamedPeer()
    {
        Assert.Equal("error: File descriptor '0' is not a socket", Create("stream,id=s0,addr.type=fd,addr.str=0").InfoStr);
        var (ours, _) = _kernel.AddSocketPair(SockType.Stream);
        var os = new FaultyOs(_kernel).Fail(nameof(IOsNet.GetPeerName), Errno.ENOTCONN);
        var s = Create($"stream,id=s1,addr.type=fd,addr.str={ours.Number}", os);
        Assert.True(s.IsConnected);
        Assert.Equal("unknown address type", s.InfoStr);
    }

    [Fact(DisplayName = "ST4: vsock is parsed but refused, as a client and as a server")]
    public void Vsock()
    {
        Assert.Equal("error: vsock addresses are not supported by tapnet",
            Create("stream,id=s0,addr.type=vsock,addr.cid=2,addr.port=1").InfoStr);
        Assert.Equal("error: vsock addresses are not supported by tapnet",
            Create("stream,id=s1,server=on,addr.type=vsock,addr.cid=2,addr.port=1").InfoStr);
    }

    [Fact(DisplayName = "ST10: socket() refused on a client: 'Failed to create socket', and a retry after the delay")]
    public void ClientSocketRefused()
    {
        var os = new FaultyOs(_kernel).Fail(nameof(IOsNet.Socket), Errno.ENFILE);
        var s = Create("stream,id=s0,reconnect-ms=3,addr.type=unix,addr.path=/tmp/c0.sock", os);
        Assert.Equal("connecting", s.InfoStr);
        Assert.Equal(new[] { "netdev s0: Failed to create socket: Too many open files in system" },
            _kernel.Reports.Select(r => r.Message));
    }

    [Fact(DisplayName = "ST10: a unix connect that fails at once says so; the same failure again is not warned twice")]
    public void ClientRepeatsQuietly()
    {
        var s = Create("stream,id=s0,reconnect-ms=2,addr.type=unix,addr.path=/tmp/nobody.sock");
        for (int i = 0; i < 10; i++)
        {
            _kernel.RunOnce();
        }
        Assert.True(Calls("Connect ").Count() >= 3, "the client tried again after each delay");
        Assert.Equal(new[] { "netdev s0: Failed to connect to '/tmp/nobody.sock': No such file or directory" },
            _kernel.Reports.Select(r => r.Message));
        Assert.Equal("connecting", s.InfoStr);
    }

    [Fact(DisplayName = "ST12: the reconnect timer cannot be made or armed: said in the info string and warned")]
    public void ReconnectTimerFails()
    {
        var os = new FaultyOs(_kernel).Fail(nameof(IOsNet.TimerFdCreate), Errno.EMFILE);
        var s = Create("stream,id=s0,reconnect-ms=2,addr.type=unix,addr.path=/tmp/t0.sock", os);
        Assert.Equal("error: cannot create the reconnect timer: Too many open files", s.InfoStr);

        var os2 = new FaultyOs(_kernel).Fail(nameof(IOsNet.TimerFdSetTime), Errno.EINVAL);
        var t = Create("stream,id=s1,reconnect-ms=2,addr.type=unix,addr.path=/tmp/t1.sock", os2);
        Assert.Equal("error: cannot arm the reconnect timer: Invalid argument", t.InfoStr);
        Assert.Equal(new[]
        {
            "netdev s0: Failed to connect to '/tmp/t0.sock': No such file or directory",
            "netdev s0: cannot create the reconnect timer: Too many open files",
            "netdev s1: Failed to connect to '/tmp/t1.sock': No such file or directory",
            "netdev s1: cannot arm the reconnect timer: Invalid argument",
        }, _kernel.Reports.Select(r => r.Message));
    }

    [Theory(DisplayName = "ST4: addr.type=fd takes a decimal number or a monitor name; anything else is refused")]
    [InlineData("-1", "error: Unable to parse FD number -1: Invalid argument")]
    [InlineData("x1", "error: Unable to parse FD number x1: Invalid argument")]
    [InlineData("99", "error: File descriptor '99' is not a socket")]
    public void FdStrings(string text, string info)
    {
        Assert.Equal(info, Create($"stream,id=s0,addr.type=fd,addr.str={text}").InfoStr);
        Assert.Equal(info, Create($"stream,id=s1,server=on,addr.type=fd,addr.str={text}").InfoStr);
    }

    [Fact(DisplayName = "ST10: a connected fd that cannot be made non-blocking is closed: 'can't use file descriptor'")]
    public void FdNonBlockingRefused()
    {
        var (ours, _) = _kernel.AddSocketPair(SockType.Stream);
        var os = new FaultyOs(_kernel).Fail(nameof(IOsNet.SetNonBlocking), Errno.EBADF);
        var s = Create($"stream,id=s0,addr.type=fd,addr.str={ours.Number}", os);
        Assert.Equal($"error: can't use file descriptor {ours.Number} (errno 9)", s.InfoStr);
        Assert.DoesNotContain(ours.Number, _kernel.OpenFds);
    }
}
