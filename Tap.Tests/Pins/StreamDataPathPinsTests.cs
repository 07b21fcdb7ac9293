using System.Net;
using Tap.Core.Abi;
using Tap.Core.Net;
using Tap.Core.Os;
using Tap.Core.Socket;
using Tap.Sim;
using Tap.Tests.Sockets;
using Tap.Tests.Core;

namespace Tap.Tests.Pins;

/// <summary>
/// ST6, ST7, ST11: the stream's data path at its edges (read errors, an end inside a header, write errors, the rest
/// of a half-written frame when the connection goes), with the test as the far end on the simulated kernel.
/// </summary>
public sealed class StreamDataPathPinsTests
{
    private readonly SimKernel _kernel = new(31);
    private readonly NetStack _stack = new();

    private StreamBackend Create(string arg, IOsNet? os = null) => SocketNetdevs.Stream(_stack, os ?? _kernel, arg);

    private (StreamBackend S, ScriptedClient Nic, Fd Far) Connected(string path, IOsNet? os = null)
    {
        var s = Create($"stream,id=s0,server=on,addr.type=unix,addr.path={path}", os);
        var nic = new ScriptedClient(_stack, s, "nic0");
        var far = SocketNetdevs.ConnectUnix(_kernel, path);
        _kernel.RunUntilIdle();
        Assert.True(s.IsConnected);
        return (s, nic, far);
    }

    private static byte[] Framed(byte[] frame) => FramingModel.Encode([frame]);

    [Fact(DisplayName = "ST11: a read error ends the connection without a warning; the server listens again")]
    public void ReadErrorClosesQuietly()
    {
        var (s, _, _) = Connected("/tmp/d0.sock");
        _kernel.SocketOf(s.ConnectionFd!.Value)!.Reset = true;
        _kernel.RunUntilIdle();
        Assert.False(s.IsConnected);
        Assert.Null(s.ConnectionFd);
        Assert.True(s.LinkDown);
        Assert.Equal("listening", s.InfoStr);
        Assert.Equal((1L, 0L), (s.Disconnections, s.ProtocolErrors));
        Assert.Empty(_kernel.Reports);
    }

    [Theory(DisplayName = "ST11: EINTR and EAGAIN on a read change nothing; the bytes are read next time")]
    [InlineData(Errno.EINTR)]
    [InlineData(Errno.EAGAIN)]
    public void ReadRetried(Errno error)
    {
        var os = new FaultyOs(_kernel);
        var (s, nic, far) = Connected("/tmp/d1.sock", os);
        os.Fail(nameof(IOsNet.Read), error);
        _kernel.Write(far, Framed(ScriptedClient.Frame(1)), default);
        _kernel.RunUntilIdle();
        Assert.True(s.IsConnected);
        Assert.Equal(0, s.Disconnections);
        Assert.Equal(new[] { ScriptedClient.Frame(1) }, nic.Got);
        Assert.Equal(2, os.Calls.Count(c => c == nameof(IOsNet.Read)));
    }

    [Fact(DisplayName = "ST7: an end inside a header warns how much of the header came; a clean end does not warn")]
    public void EndInsideHeader()
    {
        var (s, nic, far) = Connected("/tmp/d2.sock");
        _kernel.Write(far, new byte[] { 0, 0 }, default);
        _kernel.Close(far);
        _kernel.RunUntilIdle();
        Assert.Empty(nic.Got);
        Assert.Equal(new[] { "netdev s0: the peer closed the stream inside a frame header (2 of 4 bytes); "
            + "connection closed" }, _kernel.Reports.Select(r => r.Message));
        Assert.Equal((1L, 1L), (s.Disconnections, s.ProtocolErrors));

        var far2 = _kernel.Socket(SockDomain.Unix, SockType.Stream).Value;
        Assert.True(_kernel.Connect(far2, new UnixSockAddr("/tmp/d2.sock")).Ok);
        _kernel.RunUntilIdle();
        Assert.True(s.IsConnected, "the next peer starts clean");
        _kernel.Write(far2, Framed(ScriptedClient.Frame(2)), default);
        _kernel.Close(far2);
        _kernel.RunUntilIdle();
        Assert.Equal(new[] { ScriptedClient.Frame(2) }, nic.Got);
        Assert.Single(_kernel.Reports);
        Assert.Equal((2L, 1L), (s.Disconnections, s.ProtocolErrors));
    }

    [Fact(DisplayName = "ST11: a write error drops the frame as WriteError (-1); the read side then closes")]
    public void WriteErrorDrops()
    {
        var (s, nic, far) = Connected("/tmp/d3.sock");
        _kernel.Close(far);
        Assert.Equal(-1, s.Receive(ScriptedClient.Frame(3)));
        Assert.Equal(1, s.Counters.Drops(DropReason.WriteError));
        Assert.Equal(0, s.Counters.EagainStalls);
        Assert.False(s.WritePoll);
        _kernel.RunUntilIdle();
        Assert.False(s.IsConnected);
    }

    [Fact(DisplayName = "ST11: EINTR on the writev is retried at once: the frame goes out whole")]
    public void WriteEintrRetried()
    {
        var os = new FaultyOs(_kernel);
        var (s, _, far) = Connected("/tmp/d4.sock", os);
        os.Fail(nameof(IOsNet.Write), Errno.EINTR, times: 2);
        var frame = ScriptedClient.Frame(4);
        Assert.Equal(frame.Length, s.Receive(frame));
        Assert.Equal(3, os.Calls.Count(c => c == nameof(IOsNet.Write)));
        var buf = new byte[100];
        Assert.Equal(68, _kernel.Read(far, buf).Value);
        Assert.Equal(Framed(frame), buf[..68]);
        Assert.False(s.WritePoll);
    }

    [Fact(DisplayName = "ST11: the rest of a half-written frame that never left counts as one WriteError drop")]
    public void RestLostWithTheConnection()
    {
        var (s, nic, far) = Connected("/tmp/d5.sock");
        // 4 x (60000 + 4) + (22114 + 4) = 262144 - 10: the simulated buffer (256 KiB) is 10 bytes short of full.
        for (int i = 0; i < 4; i++)
        {
            nic.Send(new byte[60000]);
        }
        nic.Send(new byte[22114]);
        Assert.Equal(64, nic.SendAsync(ScriptedClient.Frame(5, 64), nic));
        Assert.True(s.WritePoll);
        Assert.Equal(1, s.Counters.EagainStalls);
        _kernel.Close(far);
        _kernel.RunUntilIdle();
        Assert.False(s.IsConnected);
        Assert.Equal(1, s.Counters.Drops(DropReason.WriteError));
        Assert.False(s.WritePoll);
    }

    [Fact(DisplayName = "ST11: a frame handed to a stream with no connection is dropped as ReceiverLinkDown")]
    public void ReceiveWithoutConnection()
    {
        var s = Create("stream,id=s0,server=on,addr.type=unix,addr.path=/tmp/d6.sock");
        int writes = _kernel.Record.Lines.Count(l => l.StartsWith("Write ", StringComparison.Ordinal));
        Assert.Equal(60, s.Receive(ScriptedClient.Frame(6, 60)));
        Assert.Equal(1, s.Counters.Drops(DropReason.ReceiverLinkDown));
        Assert.Equal(writes, _kernel.Record.Lines.Count(l => l.StartsWith("Write ", StringComparison.Ordinal)));
    }

    [Fact(DisplayName = "ST8: a failed accept keeps the server listening; the peer is taken on the next wakeup")]
    public void AcceptRetried()
    {
        var os = new FaultyOs(_kernel).Fail(nameof(IOsNet.Accept), Errno.ECONNABORTED);
        var s = Create("stream,id=s0,server=on,addr.type=unix,addr.path=/tmp/d7.sock", os);
        var far = _kernel.Socket(SockDomain.Unix, SockType.Stream).Value;
        Assert.True(_kernel.Connect(far, new UnixSockAddr("/tmp/d7.sock")).Ok);
        _kernel.RunOnce();
        Assert.Equal("listening", s.InfoStr);
        Assert.Equal(0, s.Connections);
        _kernel.RunUntilIdle();
        Assert.Equal("unix:/tmp/d7.sock", s.InfoStr);
        Assert.Equal(1, s.Connections);
        Assert.Equal(2, os.Calls.Count(c => c == nameof(IOsNet.Accept)));
    }

    [Fact(DisplayName = "ST9: an inet server names its peer by the peer's address")]
    public void InetServerNamesPeer()
    {
        var s = Create("stream,id=s0,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=7100");
        var far = _kernel.Socket(SockDomain.Inet, SockType.Stream).Value;
        _kernel.Connect(far, new InetSockAddr(IPAddress.Loopback, 7100));
        _kernel.RunUntilIdle();
        var farName = (InetSockAddr)_kernel.GetSockName(far).Value;
        Assert.Equal($"tcp:127.0.0.1:{farName.Port}", s.InfoStr);
        Assert.NotEqual(7100, farName.Port);
    }

    [Fact(DisplayName = "ST10: an error event handed to the read side while connecting finishes the connect")]
    public void ConnectErrorOnTheReadSide()
    {
        var s = Create("stream,id=s0,addr.type=inet,addr.host=127.0.0.1,addr.port=7101");
        Assert.Equal("connecting", s.InfoStr);
        s.OnReadable();
        Assert.Equal("error: Failed to connect to '127.0.0.1:7101': Connection refused", s.InfoStr);
        Assert.Null(s.ConnectionFd);
    }

    [Fact(DisplayName = "ST12: cleanup closes the connection, the reconnect timer and unwatches them")]
    public void CleanupWithTimer()
    {
        int before = _kernel.OpenFds.Count;
        var s = Create("stream,id=s0,reconnect-ms=50,addr.type=unix,addr.path=/tmp/none-d8.sock");
        Assert.Equal(before + 1, _kernel.OpenFds.Count); // the timer
        _stack.Delete(s);
        Assert.Equal(before, _kernel.OpenFds.Count);
        for (int i = 0; i < 100; i++)
        {
            _kernel.RunOnce();
        }
        Assert.Single(_kernel.Record.Lines, l => l.StartsWith("Connect ", StringComparison.Ordinal));
    }
}
