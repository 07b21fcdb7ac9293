using System.Net;
using Tap.Core.Net;
using Tap.Core.Os;
using Tap.Core.Socket;
using Tap.Sim;
using Tap.Tests.Core;

namespace Tap.Tests.Sockets;

/// <summary>The dgram netdev on the simulated kernel (DG3-DG6), the test playing the far end.</summary>
public sealed class DgramSimTests
{
    private readonly SimKernel _kernel = new(5);
    private readonly NetStack _stack = new();

    private DgramBackend Create(string arg) => SocketNetdevs.Dgram(_stack, _kernel, arg);

    private Fd Far(int port)
    {
        var fd = _kernel.Socket(SockDomain.Inet, SockType.Dgram).Value;
        Assert.True(_kernel.Bind(fd, new InetSockAddr(IPAddress.Parse("169.254.1.2"), port)).Ok);
        return fd;
    }

    [Fact(DisplayName = "DG3, DG4: one frame per datagram, both ways, with QEMU's info string")]
    public void One_frame_per_datagram()
    {
        var far = Far(2000);
        var d = Create("dgram,id=d0,local.type=inet,local.host=169.254.1.1,local.port=1000,"
            + "remote.type=inet,remote.host=169.254.1.2,remote.port=2000");
        Assert.Equal("udp=169.254.1.1:1000/169.254.1.2:2000", d.InfoStr);
        var nic = new ScriptedClient(_stack, d, "nic0");

        var a = ScriptedClient.Frame(1, 60);
        Assert.Equal(60, nic.Send(a));
        var buf = new byte[100];
        Assert.Equal(60, _kernel.Read(far, buf).Value);
        Assert.Equal(a, buf[..60]);

        var b = ScriptedClient.Frame(2, 90);
        _kernel.SendTo(far, b, new InetSockAddr(IPAddress.Parse("169.254.1.1"), 1000));
        _kernel.RunUntilIdle();
        Assert.Equal(new[] { b }, nic.Got);
    }

    [Theory(DisplayName = "DG5: a datagram that cannot be a frame is dropped and counted as NotAFrame")]
    [InlineData(0)]
    [InlineData(13)]
    public void Not_a_frame(int size)
    {
        var far = Far(2001);
        var d = Create("dgram,id=d0,local.type=inet,local.host=169.254.1.1,local.port=1001,"
            + "remote.type=inet,remote.host=169.254.1.2,remote.port=2001");
        var nic = new ScriptedClient(_stack, d, "nic0");
        _kernel.SendTo(far, new byte[size], new InetSockAddr(IPAddress.Parse("169.254.1.1"), 1001));
        _kernel.SendTo(far, ScriptedClient.Frame(3, 14), new InetSockAddr(IPAddress.Parse("169.254.1.1"), 1001));
        _kernel.RunUntilIdle();
        Assert.Equal(1, d.Counters.Drops(DropReason.NotAFrame));
        Assert.Equal(new[] { ScriptedClient.Frame(3, 14) }, nic.Got);
        Assert.True(d.ReadPoll, "an empty datagram must not stop reading (QEMU's does)");
    }

    [Fact(DisplayName = "DG4: read interest goes off while the peer refuses, and back on at completion")]
    public void Back_pressure()
    {
        var far = Far(2002);
        var d = Create("dgram,id=d0,local.type=inet,local.host=169.254.1.1,local.port=1002,"
            + "remote.type=inet,remote.host=169.254.1.2,remote.port=2002");
        var nic = new ScriptedClient(_stack, d, "nic0") { NextResult = 0 };
        for (int i = 0; i < 3; i++)
        {
            _kernel.SendTo(far, ScriptedClient.Frame((byte)i), new InetSockAddr(IPAddress.Parse("169.254.1.1"), 1002));
        }
        _kernel.RunUntilIdle();
        Assert.False(d.ReadPoll);
        Assert.Empty(nic.Got);
        nic.NextResult = null;
        nic.FlushQueuedPackets();
        _kernel.RunUntilIdle();
        Assert.True(d.ReadPoll);
        Assert.Equal(3, nic.Got.Count);
    }

    [Fact(DisplayName = "DG6: multicast: two netdevs on one group hear each other, not themselves")]
    public void Multicast_group()
    {
        var a = Create("dgram,id=a,remote.type=inet,remote.host=230.0.0.1,remote.port=3000");
        var b = Create("dgram,id=b,remote.type=inet,remote.host=230.0.0.1,remote.port=3000");
        Assert.Equal("mcast=230.0.0.1:3000", a.InfoStr);
        var nicA = new ScriptedClient(_stack, a, "nicA");
        var nicB = new ScriptedClient(_stack, b, "nicB");
        nicA.Send(ScriptedClient.Frame(7));
        _kernel.RunUntilIdle();
        Assert.Equal(new[] { ScriptedClient.Frame(7) }, nicB.Got);
        // Loopback is on: a hears its own datagram too, as QEMU's socket does.
        Assert.Equal(new[] { ScriptedClient.Frame(7) }, nicA.Got);
    }

    [Fact(DisplayName = "DG2: unix dgram binds its path, names both in the info string, removes the file at cleanup")]
    public void Unix_dgram()
    {
        var d = Create("dgram,id=d0,local.type=unix,local.path=/tmp/a.sock,remote.type=unix,remote.path=/tmp/b.sock");
        Assert.Equal("udp=/tmp/a.sock:/tmp/b.sock", d.InfoStr);
        Assert.Contains("/tmp/a.sock", _kernel.SocketFiles);
        _stack.Delete(d);
        Assert.DoesNotContain("/tmp/a.sock", _kernel.SocketFiles);
    }
}
