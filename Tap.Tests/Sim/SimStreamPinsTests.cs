using System.Net;
using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Sim;

namespace Tap.Tests.Sim;

/// <summary>
/// Stream sockets in the simulated kernel (ST13) as a program sees them: reads, writes, back-pressure, resets and
/// the faults a <see cref="FaultPlan"/> adds (read(2), write(2), tcp(7), unix(7)).
/// </summary>
public sealed class SimStreamPinsTests
{
    /// <summary>A connected unix stream pair made through listen, connect and accept: (client, server).</summary>
    private static (Fd Client, Fd Server) Connected(SimKernel k)
    {
        var listener = k.Socket(SockDomain.Unix, SockType.Stream).Value;
        Assert.True(k.Bind(listener, new UnixSockAddr("/run/l")).Ok);
        Assert.True(k.Listen(listener, 4).Ok);
        var client = k.Socket(SockDomain.Unix, SockType.Stream).Value;
        Assert.True(k.Connect(client, new UnixSockAddr("/run/l")).Ok);
        return (client, k.Accept(listener).Value);
    }

    [Fact(DisplayName = "ST13, read(2): a connected stream with nothing waiting is EAGAIN, not end of stream")]
    public void NothingWaitingIsEagain()
    {
        var k = new SimKernel(1);
        var (client, server) = Connected(k);
        Assert.Equal(Errno.EAGAIN, k.Read(server, new byte[8]).Error);
        Assert.Equal(2, k.Write(client, new byte[] { 1, 2 }, default).Value);
        Assert.Equal(2, k.Read(server, new byte[8]).Value);
        Assert.Equal(Errno.EAGAIN, k.Read(server, new byte[8]).Error);
        Assert.True(k.Close(client).Ok);
        Assert.Equal(0, k.Read(server, new byte[8]).Value);
    }

    [Fact(DisplayName = "ST13: a short read returns at least one byte and fewer than are waiting, in order")]
    public void ShortReads()
    {
        var k = new SimKernel(3, FaultPlan.None.With(FaultSite.SocketShortRead, new Ratio(1, 1)));
        var (client, server) = Connected(k);
        var buffer = new byte[64];
        for (int round = 0; round < 50; round++)
        {
            var sent = Enumerable.Range(0, 2 + (round % 9)).Select(i => (byte)(round + i)).ToArray();
            Assert.Equal(sent.Length, k.Write(client, sent, default).Value);
            var got = new List<byte>();
            while (got.Count < sent.Length)
            {
                int waiting = sent.Length - got.Count;
                int n = k.Read(server, buffer).Value;
                Assert.InRange(n, 1, waiting == 1 ? 1 : waiting - 1);
                got.AddRange(buffer.AsSpan(0, n).ToArray());
            }
            Assert.Equal(sent, got);
        }
    }

    [Fact(DisplayName = "ST13, write(2): a partial write takes at least one byte and fewer than offered")]
    public void ShortWrites()
    {
        var k = new SimKernel(3, FaultPlan.None.With(FaultSite.SocketShortWrite, new Ratio(1, 1)));
        var (client, server) = Connected(k);
        for (int round = 0; round < 20; round++)
        {
            int n = k.Write(client, new byte[] { 1, 2, 3 }, new byte[] { 4, 5, 6, 7 }).Value;
            Assert.InRange(n, 1, 6);
            var buffer = new byte[16];
            Assert.Equal(n, k.Read(server, buffer).Value);
            Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7 }[..n], buffer[..n]);
        }
    }

    [Fact(DisplayName = "ST13, write(2): a writer fills the reader's buffer to EAGAIN, never a write of 0 bytes")]
    public void BackPressure()
    {
        var k = new SimKernel(1);
        var (client, server) = Connected(k);
        var chunk = new byte[64 * 1024];
        long accepted = 0;
        SysResult<int> r = default;
        for (int i = 0; i < 100; i++)
        {
            r = k.Write(client, chunk, default);
            if (!r.Ok)
            {
                break;
            }
            Assert.True(r.Value > 0, $"write {i} returned {r.Value}");
            accepted += r.Value;
        }
        Assert.Equal(Errno.EAGAIN, r.Error);
        Assert.InRange(accepted, 1, 100L * chunk.Length - 1);
        var counter = new CountingHandler();
        k.Watch(client, counter, readable: false, writable: true);
        Assert.Equal(0, k.Dispatch(client));
        Assert.True(k.Read(server, new byte[100]).Value > 0);
        Assert.Equal(1, k.Dispatch(client));
        Assert.True(k.Write(client, chunk, default).Value > 0);
    }

    [Fact(DisplayName = "ST13: an EINTR write takes nothing; the reader sees no byte of it")]
    public void EintrWriteTakesNothing()
    {
        var k = new SimKernel(1);
        var (client, server) = Connected(k);
        k.Faults.With(FaultSite.WriteEintr, new Ratio(1, 1));
        Assert.Equal(Errno.EINTR, k.Write(client, new byte[] { 1, 2, 3 }, default).Error);
        k.Faults.With(FaultSite.WriteEintr, Ratio.Zero);
        Assert.Equal(Errno.EAGAIN, k.Read(server, new byte[8]).Error);
        Assert.Equal(1, k.Write(client, new byte[] { 4 }, default).Value);
        var buffer = new byte[8];
        Assert.Equal(1, k.Read(server, buffer).Value);
        Assert.Equal(4, buffer[0]);
    }

    [Fact(DisplayName = "ST13: a reset on write: both ends see ECONNRESET, what was in flight is gone, the peer wakes")]
    public void ResetOnWrite()
    {
        var k = new SimKernel(1);
        var (client, server) = Connected(k);
        Assert.Equal(3, k.Write(client, new byte[] { 1, 2, 3 }, default).Value);
        var counter = new CountingHandler();
        k.Watch(server, counter, readable: true, writable: false);
        k.Faults.With(FaultSite.SocketReset, new Ratio(1, 1));
        Assert.Equal(Errno.ECONNRESET, k.Write(client, new byte[] { 4 }, default).Error);
        k.Faults.With(FaultSite.SocketReset, Ratio.Zero);
        Assert.Equal(1, k.Dispatch(server));
        Assert.Equal(Errno.ECONNRESET, k.Read(server, new byte[8]).Error);
        Assert.Equal(Errno.ECONNRESET, k.Write(server, new byte[] { 5 }, default).Error);
        Assert.Equal(Errno.ECONNRESET, k.Read(client, new byte[8]).Error);
        Assert.Equal(Errno.ECONNRESET, k.Write(client, new byte[] { 6 }, default).Error);
    }

    [Fact(DisplayName = "ST13, unix(7)/tcp(7): closing a listener resets the connections nobody accepted")]
    public void ClosedListenerResetsPending()
    {
        var k = new SimKernel(1);
        var listener = k.Socket(SockDomain.Inet, SockType.Stream).Value;
        Assert.True(k.Bind(listener, new InetSockAddr(IPAddress.Loopback, 5000)).Ok);
        Assert.True(k.Listen(listener, 4).Ok);
        var tcp = k.Socket(SockDomain.Inet, SockType.Stream).Value;
        Assert.Equal(Errno.EINPROGRESS, k.Connect(tcp, new InetSockAddr(IPAddress.Loopback, 5000)).Error);
        Assert.Equal(Errno.None, k.TakeSocketError(tcp).Value.Error);
        Assert.True(k.Close(listener).Ok);
        Assert.Equal(Errno.ECONNRESET, k.Write(tcp, new byte[] { 1 }, default).Error);
        Assert.Equal(Errno.ECONNRESET, k.Read(tcp, new byte[8]).Error);

        var unixListener = k.Socket(SockDomain.Unix, SockType.Stream).Value;
        Assert.True(k.Bind(unixListener, new UnixSockAddr("/run/l2")).Ok);
        Assert.True(k.Listen(unixListener, 4).Ok);
        var unix = k.Socket(SockDomain.Unix, SockType.Stream).Value;
        Assert.True(k.Connect(unix, new UnixSockAddr("/run/l2")).Ok);
        Assert.True(k.Close(unixListener).Ok);
        Assert.Equal(Errno.ECONNRESET, k.Write(unix, new byte[] { 1 }, default).Error);
    }

    [Fact(DisplayName = "ST13, bind(2): closing a socket frees its address for the next bind")]
    public void CloseFreesTheAddress()
    {
        var k = new SimKernel(1);
        foreach (var type in new[] { SockType.Stream, SockType.Dgram })
        {
            var first = k.Socket(SockDomain.Inet, type).Value;
            Assert.True(k.Bind(first, new InetSockAddr(IPAddress.Loopback, 5000)).Ok);
            Assert.True(k.Close(first).Ok);
            var second = k.Socket(SockDomain.Inet, type).Value;
            Assert.True(k.Bind(second, new InetSockAddr(IPAddress.Loopback, 5000)).Ok);
            Assert.True(k.Close(second).Ok);
        }
        var abstractName = new UnixSockAddr("n", Abstract: true);
        var a = k.Socket(SockDomain.Unix, SockType.Stream).Value;
        Assert.True(k.Bind(a, abstractName).Ok);
        Assert.True(k.Close(a).Ok);
        Assert.True(k.Bind(k.Socket(SockDomain.Unix, SockType.Stream).Value, abstractName).Ok);
    }

    [Fact(DisplayName = "ST13, timerfd_create(2): a timerfd is never writable")]
    public void TimerIsNotWritable()
    {
        var k = new SimKernel(1);
        var timer = k.TimerFdCreate().Value;
        var counter = new CountingHandler();
        k.Watch(timer, counter, readable: false, writable: true);
        Assert.Equal(0, k.Dispatch(timer));
        Assert.True(k.TimerFdSetTime(timer, k.ClockMonotonicNs() + 1_000_000).Ok);
        Assert.Equal(0, k.Dispatch(timer));
        Assert.Equal(0, counter.Writable);
    }
}
