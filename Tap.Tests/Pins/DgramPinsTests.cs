using System.Net;
using Tap.Core.Abi;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;
using Tap.Core.Socket;
using Tap.Sim;
using Tap.Tests.Core;

namespace Tap.Tests.Pins;

/// <summary>
/// DG2-DG6 at their edges: QEMU's convert_host_port (glibc inet_aton's forms, strtol's port modulo 2^16), the
/// multicast setup's steps and messages (net/dgram.c's net_dgram_mcast_create), the fd forms, and the data path's
/// errors. Failures the simulator does not make come from <see cref="FaultyOs"/>; nothing may stay open after one.
/// </summary>
public sealed class DgramPinsTests
{
    private const string Remote = ",remote.type=inet,remote.host=169.254.1.2,remote.port=2000";

    private readonly SimKernel _kernel = new(41);
    private readonly NetStack _stack = new();

    private NetdevInitResult Run(string arg, IOsNet? os = null)
    {
        var p = NetdevParser.Parse(arg);
        Assert.True(p.Ok, p.Error);
        return DgramInit.Run(_stack, os ?? _kernel, (DgramOptions)p.Options!);
    }

    private DgramBackend Create(string arg, IOsNet? os = null)
    {
        var r = Run(arg, os);
        Assert.Null(r.Error);
        return (DgramBackend)r.Created[0];
    }

    private IEnumerable<string> Calls(string prefix) =>
        _kernel.Record.Lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal));

    [Theory(DisplayName = "DG2: the port is strtol base 0 with an end pointer, kept modulo 2^16")]
    [InlineData("1000", "1000")]
    [InlineData("0x10", "16")]
    [InlineData("010", "8")]
    [InlineData("65537", "1")]
    [InlineData("80x", "80")]
    [InlineData("-1", "65535")]
    public void PortForms(string port, string value)
    {
        var d = Create($"dgram,id=d0,local.type=inet,local.host=169.254.1.1,local.port={port}{Remote}");
        Assert.Equal($"udp=169.254.1.1:{value}/169.254.1.2:2000", d.InfoStr);
    }

    [Theory(DisplayName = "DG2: a port with no number in front, or beyond 64 bits, is invalid")]
    [InlineData("x")]
    [InlineData("")]
    [InlineData("18446744073709551616")]
    public void PortInvalid(string port)
    {
        Assert.Equal($"port number '{port}' is invalid",
            Run($"dgram,id=d0,local.type=inet,local.host=169.254.1.1,local.port={port}{Remote}").Error);
    }

    [Theory(DisplayName = "DG2: inet_aton's forms: one to four parts, hex and octal, the last filling the rest")]
    [InlineData("169.254.1.1")]
    [InlineData("169.254.257")]
    [InlineData("169.16646401")]
    [InlineData("2851995905")]
    [InlineData("0xA9.0376.1.1")]
    [InlineData("0251.0xfe.1.01")]
    public void InetAtonForms(string host)
    {
        var d = Create($"dgram,id=d0,local.type=inet,local.host={host},local.port=1000{Remote}");
        Assert.Equal("udp=169.254.1.1:1000/169.254.1.2:2000", d.InfoStr);
    }

    [Theory(DisplayName = "DG2: what inet_aton refuses is 'not a valid IPv4 address'")]
    [InlineData("169.254.1.256")]
    [InlineData("256.1.1.1")]
    [InlineData("1.256.1.1")]
    [InlineData("1.2.256.1")]
    [InlineData("169.254.65536")]
    [InlineData("169.16777216")]
    [InlineData("4294967296")]
    [InlineData("1.2.3.4.5")]
    [InlineData("1..2")]
    [InlineData("1.2.3.")]
    [InlineData("08")]
    [InlineData("1.2.3.4x")]
    [InlineData("99999999999999999999")]
    public void InetAtonRefused(string host)
    {
        int before = _kernel.OpenFds.Count;
        Assert.Equal($"host address '{host}' is not a valid IPv4 address",
            Run($"dgram,id=d0,local.type=inet,local.host={host},local.port=1000{Remote}").Error);
        Assert.Equal($"host address '{host}' is not a valid IPv4 address",
            Run($"dgram,id=d0,remote.type=inet,remote.host={host},remote.port=1000").Error);
        Assert.Equal(before, _kernel.OpenFds.Count);
    }

    [Theory(DisplayName = "DG2: inet_aton's largest parts are taken (255 per byte, the last part its whole room)")]
    [InlineData("255.1.1.1", "255.1.1.1")]
    [InlineData("1.255.1.1", "1.255.1.1")]
    [InlineData("1.2.3.255", "1.2.3.255")]
    [InlineData("1.2.65535", "1.2.255.255")]
    [InlineData("1.16777215", "1.255.255.255")]
    [InlineData("4294967295", "255.255.255.255")]
    public void InetAtonLargest(string host, string address)
    {
        Assert.Equal($"can't bind ip={address} to socket: Cannot assign requested address",
            Run($"dgram,id=d0,local.type=inet,local.host={host},local.port=1000{Remote}").Error);
    }

    [Fact(DisplayName = "DG2: a name the resolver does not know: 'can't resolve host address'")]
    public void ResolverFails()
    {
        var os = new FaultyOs(_kernel).Fail(nameof(IOsNet.ResolveHost), Errno.ENOENT);
        _kernel.AddHost("far", IPAddress.Parse("169.254.7.7"));
        Assert.Equal("can't resolve host address 'far'", Run("dgram,id=d0,local.type=inet,local.host=169.254.1.1,"
            + "local.port=1000,remote.type=inet,remote.host=far,remote.port=2000", os).Error);
    }

    [Fact(DisplayName = "DG2: an empty host is INADDR_ANY; a name resolves to its first IPv4 address")]
    public void HostForms()
    {
        var any = Create($"dgram,id=d0,local.type=inet,local.host=,local.port=1001{Remote}");
        Assert.Equal("udp=0.0.0.0:1001/169.254.1.2:2000", any.InfoStr);
        _kernel.AddHost("far", IPAddress.Parse("::1"), IPAddress.Parse("169.254.7.7"), IPAddress.Parse("169.254.8.8"));
        var named = Create("dgram,id=d1,local.type=inet,local.host=169.254.1.1,local.port=1002,"
            + "remote.type=inet,remote.host=far,remote.port=2000");
        Assert.Equal("udp=169.254.1.1:1002/169.254.7.7:2000", named.InfoStr);
        _kernel.AddHost("v6only", IPAddress.Parse("::1"));
        Assert.Equal("can't resolve host address 'v6only'", Run("dgram,id=d2,local.type=inet,"
            + "local.host=169.254.1.1,local.port=1003,remote.type=inet,remote.host=v6only,remote.port=2000").Error);
    }

    [Theory(DisplayName = "DG6: IN_MULTICAST is 224.0.0.0/4; any other remote needs a local address")]
    [InlineData("224.0.0.0", true)]
    [InlineData("239.255.255.255", true)]
    [InlineData("223.255.255.255", false)]
    [InlineData("240.0.0.0", false)]
    public void MulticastRange(string group, bool multicast)
    {
        var r = Run($"dgram,id=d0,remote.type=inet,remote.host={group},remote.port=5000");
        if (multicast)
        {
            Assert.Null(r.Error);
            Assert.Equal($"mcast={group}:5000", r.Created[0].InfoStr);
        }
        else
        {
            Assert.Equal("dgram requires local= parameter", r.Error);
        }
    }

    [Fact(DisplayName = "DG6: a local address joins the group on it and sends from it; none joins on INADDR_ANY")]
    public void MulticastLocalAddress()
    {
        Create("dgram,id=d0,remote.type=inet,remote.host=230.0.0.1,remote.port=5000,"
            + "local.type=inet,local.host=169.254.1.1,local.port=0");
        Assert.Single(Calls("JoinMulticast "), l => l.Contains("230.0.0.1 169.254.1.1"));
        Assert.Single(Calls("SetMulticastInterface "), l => l.Contains(" 169.254.1.1 "));
        Assert.Single(Calls("SetSockOpt "), l => l.Contains("MulticastLoop 1"));
        Assert.Single(Calls("Bind "), l => l.Contains("230.0.0.1:5000"));

        Create("dgram,id=d1,remote.type=inet,remote.host=230.0.0.2,remote.port=5000");
        Assert.Single(Calls("JoinMulticast "), l => l.Contains("230.0.0.2 0.0.0.0"));
        Assert.Single(Calls("SetMulticastInterface "));
        Assert.Equal("localaddr '::1' is not a valid IPv4 address", Run("dgram,id=d2,remote.type=inet,"
            + "remote.host=230.0.0.3,remote.port=5000,local.type=inet,local.host=::1,local.port=0").Error);
    }

    [Theory(DisplayName = "DG6: each step of the multicast setup fails with QEMU's message and closes the socket")]
    [InlineData(nameof(IOsNet.Socket), 1, "can't create datagram socket: Too many open files")]
    [InlineData(nameof(IOsNet.SetSockOpt), 1, "can't set socket option SO_REUSEADDR: Too many open files")]
    [InlineData(nameof(IOsNet.Bind), 1, "can't bind ip=230.0.0.1 to socket: Too many open files")]
    [InlineData(nameof(IOsNet.JoinMulticast), 1, "can't add socket to multicast group 230.0.0.1: Too many open files")]
    [InlineData(nameof(IOsNet.SetSockOpt), 2, "can't force multicast message to loopback: Too many open files")]
    [InlineData(nameof(IOsNet.SetMulticastInterface), 1,
        "can't set the default network send interface: Too many open files")]
    public void MulticastFailures(string call, int nth, string message)
    {
        int before = _kernel.OpenFds.Count;
        var os = new FaultyOs(_kernel).Fail(call, Errno.EMFILE, nth);
        var r = Run("dgram,id=d0,remote.type=inet,remote.host=230.0.0.1,remote.port=5000,"
            + "local.type=inet,local.host=169.254.1.1,local.port=0", os);
        Assert.Equal(message, r.Error);
        Assert.Equal(before, _kernel.OpenFds.Count);
    }

    [Theory(DisplayName = "DG2: each step of the inet setup fails with QEMU's message and closes the socket")]
    [InlineData(nameof(IOsNet.Socket), "can't create datagram socket: Too many open files")]
    [InlineData(nameof(IOsNet.SetSockOpt), "can't set socket option SO_REUSEADDR: Too many open files")]
    [InlineData(nameof(IOsNet.Bind), "can't bind ip=169.254.1.1 to socket: Too many open files")]
    public void InetFailures(string call, string message)
    {
        int before = _kernel.OpenFds.Count;
        var os = new FaultyOs(_kernel).Fail(call, Errno.EMFILE);
        Assert.Equal(message, Run($"dgram,id=d0,local.type=inet,local.host=169.254.1.1,local.port=1000{Remote}", os)
            .Error);
        Assert.Equal(before, _kernel.OpenFds.Count);
    }

    [Fact(DisplayName = "DG2: unix: unlink, socket and bind fail with QEMU's messages; abstract is not looked at")]
    public void UnixFailures()
    {
        const string both = "dgram,id=d0,local.type=unix,local.path=/tmp/ua,remote.type=unix,remote.path=/tmp/ub";
        int before = _kernel.OpenFds.Count;
        Assert.Equal("failed to unlink socket /tmp/ua: Permission denied",
            Run(both, new FaultyOs(_kernel).Fail(nameof(IOsNet.Unlink), Errno.EACCES)).Error);
        Assert.Equal("can't create datagram socket: Too many open files",
            Run(both, new FaultyOs(_kernel).Fail(nameof(IOsNet.Socket), Errno.EMFILE)).Error);
        Assert.Equal("can't bind unix=/nonexistent/ua to socket: No such file or directory", Run("dgram,id=d0,"
            + "local.type=unix,local.path=/nonexistent/ua,remote.type=unix,remote.path=/tmp/ub").Error);
        string longPath = "/tmp/" + new string('r', 120);
        Assert.Equal($"UNIX socket path '{longPath}' is too long", Run("dgram,id=d0,local.type=unix,"
            + $"local.path=/tmp/ua,remote.type=unix,remote.path={longPath}").Error);
        Assert.Equal(before, _kernel.OpenFds.Count);

        var d = Create("dgram,id=d0,local.type=unix,local.path=/tmp/uc,local.abstract=on,"
            + "remote.type=unix,remote.path=/tmp/ub");
        Assert.Contains("/tmp/uc", _kernel.SocketFiles);
        Assert.Equal("udp=/tmp/uc:/tmp/ub", d.InfoStr);
    }

    [Fact(DisplayName = "DG2: unix dgram sends to the remote path as a file, whatever abstract says")]
    public void UnixSendsToFile()
    {
        var far = _kernel.Socket(SockDomain.Unix, SockType.Dgram).Value;
        Assert.True(_kernel.Bind(far, new UnixSockAddr("/tmp/ud")).Ok);
        var d = Create("dgram,id=d0,local.type=unix,local.path=/tmp/ue,remote.type=unix,remote.path=/tmp/ud,"
            + "remote.abstract=on");
        Assert.Equal(64, d.Receive(ScriptedClient.Frame(6)));
        Assert.Equal(64, _kernel.Read(far, new byte[100]).Value);
    }

    [Fact(DisplayName = "DG2: a local type neither inet, unix nor fd: 'only support inet or fd type for local'")]
    public void VsockLocal() =>
        Assert.Equal("only support inet or fd type for local", Run("dgram,id=d0,local.type=vsock,local.cid=2,"
            + "local.port=1,remote.type=vsock,remote.cid=2,remote.port=2").Error);

    [Theory(DisplayName = "DG2: snprintf into sun_path: a path of 107 bytes fits, 108 is too long")]
    [InlineData(107, true)]
    [InlineData(108, false)]
    public void UnixPathLength(int length, bool fits)
    {
        string path = "/" + new string('q', length - 1);
        var r = Run($"dgram,id=d0,local.type=unix,local.path={path},remote.type=unix,remote.path=/tmp/ub");
        Assert.Equal(fits ? null : $"UNIX socket path '{path}' is too long", r.Error);
        var remote = Run($"dgram,id=d1,local.type=unix,local.path=/tmp/uf,remote.type=unix,remote.path={path}");
        Assert.Equal(fits ? null : $"UNIX socket path '{path}' is too long", remote.Error);
    }

    [Fact(DisplayName = "DG2: local.type=fd: a number, or a name the process was given; else QEMU's messages")]
    public void FdForms()
    {
        var (ours, theirs) = _kernel.AddSocketPair(SockType.Dgram);
        var d = Create($"dgram,id=d0,local.type=fd,local.str={ours.Number}");
        Assert.Equal($"fd={ours.Number}", d.InfoStr);
        var nic = new ScriptedClient(_stack, d, "nic0");
        nic.Send(ScriptedClient.Frame(1));
        var buf = new byte[100];
        Assert.Equal(64, _kernel.Read(theirs, buf).Value);

        var (named, _) = _kernel.AddSocketPair(SockType.Dgram);
        _kernel.AddNamedFd("dg", named);
        Assert.Equal($"fd={named.Number}", Create("dgram,id=d1,local.type=fd,local.str=dg").InfoStr);
        Assert.Equal("File descriptor named 'nope' has not been found",
            Run("dgram,id=d2,local.type=fd,local.str=nope").Error);
        Assert.Equal("Invalid file descriptor number '12x'", Run("dgram,id=d3,local.type=fd,local.str=12x").Error);
        Assert.Equal("Invalid file descriptor number ''", Run("dgram,id=d4,local.type=fd,local.str=").Error);
    }

    private (DgramBackend D, ScriptedClient Nic, Fd Far) Pair(IOsNet? os = null)
    {
        var far = _kernel.Socket(SockDomain.Inet, SockType.Dgram).Value;
        Assert.True(_kernel.Bind(far, new InetSockAddr(IPAddress.Parse("169.254.1.2"), 2000)).Ok);
        var d = Create($"dgram,id=d0,local.type=inet,local.host=169.254.1.1,local.port=1000{Remote}", os);
        return (d, new ScriptedClient(_stack, d, "nic0"), far);
    }

    private void FarSends(Fd far, int size) =>
        _kernel.SendTo(far, new byte[size], new InetSockAddr(IPAddress.Parse("169.254.1.1"), 1000));

    [Fact(DisplayName = "DG5: a datagram of NET_BUFSIZE (69632) is a frame; one byte more is NotAFrame")]
    public void LargestDatagram()
    {
        var (d, nic, far) = Pair();
        FarSends(far, 69633);
        FarSends(far, 69632);
        _kernel.RunUntilIdle();
        Assert.Equal(1, d.Counters.Drops(DropReason.NotAFrame));
        Assert.Equal(new[] { 69632 }, nic.Got.Select(f => f.Length));
    }

    [Theory(DisplayName = "DG4: a read error counts as ReadError; EAGAIN and EINTR count nothing")]
    [InlineData(Errno.ECONNREFUSED, 1)]
    [InlineData(Errno.EAGAIN, 0)]
    [InlineData(Errno.EINTR, 0)]
    public void ReadErrors(Errno error, int counted)
    {
        var os = new FaultyOs(_kernel);
        var (d, nic, far) = Pair(os);
        os.Fail(nameof(IOsNet.Read), error);
        FarSends(far, 60);
        _kernel.RunUntilIdle();
        Assert.Equal(counted, d.Counters.Drops(DropReason.ReadError));
        Assert.Equal(0, d.Counters.Drops(DropReason.NotAFrame));
        Assert.Single(nic.Got);
    }

    [Fact(DisplayName = "DG3: EAGAIN keeps the frame queued and turns write interest on; writable sends it")]
    public void SendEagain()
    {
        var os = new FaultyOs(_kernel);
        var (d, nic, far) = Pair(os);
        os.Fail(nameof(IOsNet.SendTo), Errno.EAGAIN);
        Assert.Equal(0, nic.SendAsync(ScriptedClient.Frame(2), nic));
        Assert.True(d.WritePoll);
        Assert.Equal(1, d.Counters.EagainStalls);
        _kernel.RunUntilIdle();
        Assert.False(d.WritePoll);
        Assert.Equal(64, _kernel.Read(far, new byte[100]).Value);
        Assert.Single(nic.Completed);
    }

    [Fact(DisplayName = "DG3: EINTR is retried at once; another error drops the frame as WriteError (-1)")]
    public void SendErrors()
    {
        var os = new FaultyOs(_kernel);
        var (d, nic, far) = Pair(os);
        os.Fail(nameof(IOsNet.SendTo), Errno.EINTR, times: 2);
        Assert.Equal(64, d.Receive(ScriptedClient.Frame(3)));
        Assert.Equal(3, os.Calls.Count(c => c == nameof(IOsNet.SendTo)));
        os.Fail(nameof(IOsNet.SendTo), Errno.ECONNREFUSED);
        Assert.Equal(-1, d.Receive(ScriptedClient.Frame(4)));
        Assert.Equal(1, d.Counters.Drops(DropReason.WriteError));
        Assert.Equal(0, d.Counters.EagainStalls);
        Assert.False(d.WritePoll);
        Assert.Equal(64, _kernel.Read(far, new byte[100]).Value);
    }

    [Fact(DisplayName = "DG1: after cleanup the socket is closed once and nothing reaches the kernel")]
    public void AfterCleanup()
    {
        var os = new FaultyOs(_kernel);
        var (d, _, _) = Pair(os);
        _stack.Delete(d);
        int calls = os.Calls.Count;
        Assert.Equal(-1, d.Receive(ScriptedClient.Frame(5)));
        Assert.Equal(1, d.Counters.Drops(DropReason.WriteError));
        d.OnReadable();
        d.OnWritable();
        d.Cleanup();
        Assert.Equal(calls, os.Calls.Count);
        Assert.Single(os.Calls, c => c == nameof(IOsNet.Close));
    }
}
