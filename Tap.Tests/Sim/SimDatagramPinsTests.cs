using System.Net;
using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Sim;

namespace Tap.Tests.Sim;

/// <summary>
/// Datagrams in the simulated kernel (ST13) as a program sees them: who receives, in what order, what a full
/// receiver does, and the faults a <see cref="FaultPlan"/> adds (udp(7), unix(7), sendto(2), recv(2)).
/// </summary>
public sealed class SimDatagramPinsTests
{
    private static InetSockAddr Lo(int port) => new(IPAddress.Loopback, port);

    private static InetSockAddr LinkLocal(int host, int port) =>
        new(new IPAddress(new byte[] { 169, 254, 9, (byte)host }), port);

    private static Fd Udp(SimKernel k, SockAddr? at = null)
    {
        var fd = k.Socket(SockDomain.Inet, SockType.Dgram).Value;
        if (at is not null)
        {
            Assert.True(k.Bind(fd, at).Ok);
        }
        return fd;
    }

    private static Fd UnixDgram(SimKernel k, string path)
    {
        var fd = k.Socket(SockDomain.Unix, SockType.Dgram).Value;
        Assert.True(k.Bind(fd, new UnixSockAddr(path)).Ok);
        return fd;
    }

    /// <summary>Every datagram waiting at <paramref name="fd"/>, in the order recv gives them.</summary>
    private static List<byte[]> Drain(SimKernel k, Fd fd)
    {
        var got = new List<byte[]>();
        var buffer = new byte[2048];
        for (int i = 0; i < 100_000; i++)
        {
            var r = k.Read(fd, buffer);
            if (!r.Ok)
            {
                Assert.Equal(Errno.EAGAIN, r.Error);
                return got;
            }
            got.Add(buffer.AsSpan(0, r.Value).ToArray());
        }
        throw new InvalidOperationException("recv never ran dry");
    }

    [Fact(DisplayName = "ST13, udp(7): sendto with an address on a connected socket goes there; send to the peer")]
    public void SendToOverridesTheConnectedPeer()
    {
        var k = new SimKernel(1);
        var first = Udp(k, Lo(5001));
        var second = Udp(k, Lo(5002));
        var sender = Udp(k);
        Assert.True(k.Connect(sender, Lo(5001)).Ok);
        Assert.Equal(2, k.SendTo(sender, new byte[] { 2, 2 }, Lo(5002)).Value);
        Assert.Equal(Errno.EAGAIN, k.Read(first, new byte[8]).Error);
        Assert.Equal(2, k.Read(second, new byte[8]).Value);
        Assert.Equal(1, k.SendTo(sender, new byte[] { 1 }, null).Value);
        Assert.Equal(1, k.Read(first, new byte[8]).Value);
        Assert.Equal(Errno.EAGAIN, k.Read(second, new byte[8]).Error);
    }

    [Fact(DisplayName = "ST13, unix(7): a datagram to an unbound path is ENOENT, to a dead socket's file ECONNREFUSED")]
    public void UnixDgramToNobody()
    {
        var k = new SimKernel(1);
        var sender = k.Socket(SockDomain.Unix, SockType.Dgram).Value;
        Assert.Equal(Errno.ENOENT, k.SendTo(sender, new byte[] { 1 }, new UnixSockAddr("/run/none")).Error);
        var gone = UnixDgram(k, "/run/gone");
        Assert.True(k.Close(gone).Ok);
        Assert.Contains("/run/gone", k.SocketFiles);
        Assert.Equal(Errno.ECONNREFUSED, k.SendTo(sender, new byte[] { 1 }, new UnixSockAddr("/run/gone")).Error);
    }

    [Fact(DisplayName = "ST13, unix(7): a unix datagram goes to the socket bound at its path and to no other")]
    public void UnixDgramGoesToItsPath()
    {
        var k = new SimKernel(1);
        var a = UnixDgram(k, "/run/a");
        var b = UnixDgram(k, "/run/b");
        var sender = UnixDgram(k, "/run/c");
        Assert.Equal(3, k.SendTo(sender, new byte[] { 1, 2, 3 }, new UnixSockAddr("/run/a")).Value);
        Assert.Single(Drain(k, a));
        Assert.Empty(Drain(k, b));
        Assert.Empty(Drain(k, sender));
    }

    [Fact(DisplayName = "ST13, unix(7): a datagram to a unix stream socket's path is not received")]
    public void UnixDgramToAStreamSocket()
    {
        var k = new SimKernel(1);
        var stream = k.Socket(SockDomain.Unix, SockType.Stream).Value;
        Assert.True(k.Bind(stream, new UnixSockAddr("/run/stream")).Ok);
        var sender = k.Socket(SockDomain.Unix, SockType.Dgram).Value;
        Assert.False(k.SendTo(sender, new byte[] { 1 }, new UnixSockAddr("/run/stream")).Ok);
        Assert.Equal(Errno.EAGAIN, k.Read(stream, new byte[8]).Error);
    }

    [Fact(DisplayName = "ST13, udp(7): unicast reaches a socket bound to its address or the wildcard, no other")]
    public void UnicastMatchesTheLocalAddress()
    {
        var k = new SimKernel(1);
        var loopback = Udp(k, Lo(5000));
        var linkLocal = Udp(k, LinkLocal(1, 5000));
        var wildcard = Udp(k, new InetSockAddr(IPAddress.Any, 5001));
        var sender = Udp(k, Lo(6000));
        Assert.Equal(1, k.SendTo(sender, new byte[] { 1 }, LinkLocal(1, 5000)).Value);
        Assert.Empty(Drain(k, loopback));
        Assert.Single(Drain(k, linkLocal));
        Assert.Equal(1, k.SendTo(sender, new byte[] { 1 }, Lo(5000)).Value);
        Assert.Single(Drain(k, loopback));
        Assert.Empty(Drain(k, linkLocal));
        Assert.Equal(1, k.SendTo(sender, new byte[] { 1 }, LinkLocal(2, 5001)).Value);
        Assert.Single(Drain(k, wildcard));
        Assert.Empty(Drain(k, sender));
    }

    [Fact(DisplayName = "ST13: without faults datagrams arrive in the order sent")]
    public void OrderKept()
    {
        var k = new SimKernel(1);
        var receiver = Udp(k, Lo(5000));
        var sender = Udp(k, Lo(5001));
        for (byte i = 0; i < 20; i++)
        {
            Assert.Equal(1, k.SendTo(sender, new[] { i }, Lo(5000)).Value);
        }
        Assert.Equal(Enumerable.Range(0, 20), Drain(k, receiver).Select(d => (int)d[0]));
    }

    [Fact(DisplayName = "ST13: with DgramReorder a datagram overtakes those waiting; none is lost or doubled")]
    public void ReorderFault()
    {
        var k = new SimKernel(1, FaultPlan.None.With(FaultSite.DgramReorder, new Ratio(1, 2)));
        var receiver = Udp(k, Lo(5000));
        var sender = Udp(k, Lo(5001));
        for (byte i = 0; i < 40; i++)
        {
            Assert.Equal(1, k.SendTo(sender, new[] { i }, Lo(5000)).Value);
        }
        var order = Drain(k, receiver).Select(d => (int)d[0]).ToList();
        Assert.Equal(Enumerable.Range(0, 40), order.Order());
        Assert.NotEqual(Enumerable.Range(0, 40), order);
    }

    [Fact(DisplayName = "ST13: a receiver that never reads holds a bounded queue; the rest is dropped silently")]
    public void FullReceiverDrops()
    {
        var k = new SimKernel(1);
        var receiver = Udp(k, Lo(5000));
        var sender = Udp(k, Lo(5001));
        for (int i = 0; i < 2000; i++)
        {
            Assert.Equal(4, k.SendTo(sender, BitConverter.GetBytes(i), Lo(5000)).Value);
        }
        var got = Drain(k, receiver).Select(d => BitConverter.ToInt32(d)).ToList();
        // The queue is documented as SimSocket.DgramQueueMax (Linux counts bytes of SO_RCVBUF instead): the first
        // that many are kept, in order, and the rest dropped.
        Assert.Equal(Enumerable.Range(0, SimSocket.DgramQueueMax), got);
        Assert.Equal(4, k.SendTo(sender, BitConverter.GetBytes(-1), Lo(5000)).Value);
        Assert.Equal(new[] { -1 }, Drain(k, receiver).Select(d => BitConverter.ToInt32(d)));
    }

    [Fact(DisplayName = "ST13, recv(2): an empty UDP socket is EAGAIN and not readable; a datagram makes it readable")]
    public void EmptyDgramSocket()
    {
        var k = new SimKernel(1);
        var receiver = Udp(k, Lo(5000));
        Assert.Equal(Errno.EAGAIN, k.Read(receiver, new byte[8]).Error);
        var counter = new CountingHandler();
        k.Watch(receiver, counter, readable: true, writable: false);
        Assert.Equal(0, k.Dispatch(receiver));
        Assert.Equal(2, k.SendTo(Udp(k), new byte[] { 1, 2 }, Lo(5000)).Value);
        Assert.Equal(1, k.Dispatch(receiver));
        Assert.Equal(1, counter.Readable);
    }

    [Fact(DisplayName = "ST13, send(2): write() on a connected datagram socket sends head and body as one datagram")]
    public void WriteSendsOneDatagram()
    {
        var k = new SimKernel(1);
        var receiver = Udp(k, Lo(5000));
        var sender = Udp(k, Lo(5001));
        Assert.True(k.Connect(sender, Lo(5000)).Ok);
        Assert.Equal(5, k.Write(sender, new byte[] { 1, 2 }, new byte[] { 3, 4, 5 }).Value);
        Assert.Equal(new[] { new byte[] { 1, 2, 3, 4, 5 } }, Drain(k, receiver));

        var (ours, theirs) = k.AddSocketPair(SockType.Dgram);
        Assert.Equal(3, k.Write(ours, new byte[] { 9 }, new byte[] { 8, 7 }).Value);
        Assert.Equal(new[] { new byte[] { 9, 8, 7 } }, Drain(k, theirs));
    }

    [Fact(DisplayName = "trace-format §8: the record has every sendto as KernelCalls spells it, with its result")]
    public void SendToIsRecorded()
    {
        var k = new SimKernel(1);
        Udp(k, Lo(5000));
        var sender = Udp(k, Lo(5001));
        Assert.Equal(3, k.SendTo(sender, new byte[] { 1, 2, 3 }, Lo(5000)).Value);
        Assert.Equal("SendTo 4 3 \"i:127.0.0.1:5000\" -> ok 3", k.Record.Lines[^1]);
        var call = KernelCalls.SendTo(sender, new byte[] { 1, 2, 3 }, Lo(5000), KernelCalls.PayloadLength);
        Assert.Equal(KernelCalls.Line(call, "ok 3"), k.Record.Lines[^1]);
    }
}
