using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Socket;
using Tap.Sim;

namespace Tap.Tests.Sockets;

/// <summary>
/// ST9, ST10, DG2, DG6: init errors of stream and dgram, with QEMU's messages to the letter (QEMU 7.2's output where it
/// has the check, captured 2026-12-03; the reconnect lines from the seed's net/stream.c), and nothing left open.
/// </summary>
public sealed class SocketInitMessagesTests
{
    [Theory(DisplayName = "DG2, DG6: dgram init refuses with QEMU's message and leaves no fd open")]
    [InlineData("dgram,id=d0", "dgram requires local= parameter")]
    [InlineData("dgram,id=d0,remote.type=inet,remote.host=127.0.0.1,remote.port=1234", "dgram requires local= parameter")]
    [InlineData("dgram,id=d0,local.type=fd,local.str=5,remote.type=inet,remote.host=1.2.3.4,remote.port=1",
        "don't set remote with local.fd")]
    [InlineData("dgram,id=d0,local.type=unix,local.path=/tmp/a,remote.type=inet,remote.host=1.2.3.4,remote.port=1",
        "remote and local types must be the same")]
    [InlineData("dgram,id=d0,local.type=inet,local.host=1.2.3.4,local.port=1",
        "type=inet or type=unix requires remote parameter")]
    [InlineData("dgram,id=d0,local.type=unix,local.path=/tmp/a", "type=inet or type=unix requires remote parameter")]
    [InlineData("dgram,id=d0,local.type=fd,local.str=77", "d0: Can't use file descriptor 77: Bad file descriptor")]
    [InlineData("dgram,id=d0,remote.type=inet,remote.host=224.0.0.1,remote.port=x", "port number 'x' is invalid")]
    [InlineData("dgram,id=d0,local.type=inet,local.host=169.254.1.1,local.port=1,remote.type=inet,"
        + "remote.host=169.254.1.2,remote.port=2", null)]
    [InlineData("dgram,id=d0,local.type=inet,local.host=1.2.3,local.port=1,remote.type=inet,remote.host=1.2.3.4,"
        + "remote.port=1", "can't bind ip=1.2.0.3 to socket: Cannot assign requested address")]
    [InlineData("dgram,id=d0,local.type=inet,local.host=nosuchhost.invalid,local.port=1,remote.type=inet,"
        + "remote.host=169.254.1.2,remote.port=2", "can't resolve host address 'nosuchhost.invalid'")]
    [InlineData("dgram,id=d0,remote.type=inet,remote.host=224.0.0.1,remote.port=5000,local.type=fd,local.str=7",
        "port number '(null)' is invalid")]
    [InlineData("dgram,id=d0,remote.type=inet,remote.host=224.0.0.1,remote.port=5000,local.type=inet,"
        + "local.host=foo,local.port=1", "localaddr 'foo' is not a valid IPv4 address")]
    [InlineData("dgram,id=d0,remote.type=inet,remote.host=224.0.0.1,remote.port=5000,local.type=unix,local.path=/x",
        "only support inet or fd type for local")]
    [InlineData("dgram,id=d0,local.type=vsock,local.cid=1,local.port=1",
        "type=inet or type=unix requires remote parameter")]
    public void Dgram_init_messages(string arg, string? message)
    {
        var k = new SimKernel(3);
        int before = k.OpenFds.Count;
        var stack = new NetStack();
        var p = NetdevParser.Parse(arg);
        Assert.True(p.Ok, p.Error);
        var r = DgramInit.Run(stack, k, (DgramOptions)p.Options!);
        Assert.Equal(message, r.Error);
        if (message is not null)
        {
            Assert.Equal(before, k.OpenFds.Count);
        }
        else
        {
            Assert.Equal("udp=169.254.1.1:1/169.254.1.2:2", r.Created[0].InfoStr);
        }
    }

    [Fact(DisplayName = "DG2: a unix path of 108 bytes or more is too long, as QEMU says")]
    public void Dgram_unix_path_too_long()
    {
        string path = "/tmp/sc15/" + new string('a', 120);
        var p = NetdevParser.Parse($"dgram,id=d0,local.type=unix,local.path={path},remote.type=unix,remote.path=/tmp/b");
        var r = DgramInit.Run(new NetStack(), new SimKernel(1), (DgramOptions)p.Options!);
        Assert.Equal($"UNIX socket path '{path}' is too long", r.Error);
    }

    [Theory(DisplayName = "ST12: reconnect options are checked as the seed's net_init_stream does")]
    [InlineData("stream,id=s0,reconnect=1,reconnect-ms=5,addr.type=unix,addr.path=/tmp/x",
        "'reconnect' and 'reconnect-ms' are mutually exclusive")]
    [InlineData("stream,id=s0,server=on,reconnect=1,addr.type=unix,addr.path=/tmp/x",
        "'reconnect' and 'reconnect-ms' options are incompatible with socket in server mode")]
    [InlineData("stream,id=s0,server=on,reconnect-ms=1,addr.type=unix,addr.path=/tmp/x",
        "'reconnect' and 'reconnect-ms' options are incompatible with socket in server mode")]
    public void Stream_init_messages(string arg, string message)
    {
        var k = new SimKernel(3);
        int before = k.OpenFds.Count;
        var p = NetdevParser.Parse(arg);
        Assert.True(p.Ok, p.Error);
        Assert.Equal(message, StreamInit.Run(new NetStack(), k, (StreamOptions)p.Options!).Error);
        Assert.Equal(before, k.OpenFds.Count);
    }
}
