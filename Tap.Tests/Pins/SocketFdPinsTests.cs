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
/// What the stream and dgram netdevs ask of the event loop and the kernel for their fds (ST8, ST9, ST11, DG1, DG4):
/// the interest set at each step, unwatching before every close (a closed number is soon reused, and a stale
/// handler on it would get another fd's events), and Q12's purge at cleanup. <see cref="FaultyOs.FdLog"/> writes
/// the calls down as the core made them.
/// </summary>
public sealed class SocketFdPinsTests
{
    private readonly SimKernel _kernel = new(61);
    private readonly NetStack _stack = new();
    private readonly FaultyOs _os;

    public SocketFdPinsTests() => _os = new FaultyOs(_kernel);

    private StreamBackend Stream(string arg) => SocketNetdevs.Stream(_stack, _os, arg);

    private DgramBackend Dgram(string arg) => SocketNetdevs.Dgram(_stack, _os, arg);

    private Fd Far(string path) => SocketNetdevs.ConnectUnix(_kernel, path);

    private static byte[] Framed(byte[] frame) => FramingModel.Encode([frame]);

    [Fact(DisplayName = "ST8, ST9: the server's fds through a connection: listen, accept, the peer goes, cleanup")]
    public void ServerFdLifecycle()
    {
        var s = Stream("stream,id=s0,server=on,addr.type=unix,addr.path=/tmp/f0.sock");
        Assert.Equal("stream", s.Model);
        int listen = int.Parse(_os.FdLog.Single().Split(' ')[1]);
        Assert.Equal($"watch {listen} 1 0", _os.FdLog.Single());

        var far = Far("/tmp/f0.sock");
        _kernel.RunUntilIdle();
        int conn = s.ConnectionFd!.Value.Number;
        Assert.Equal(new[] { $"watch {listen} 0 0", $"watch {conn} 1 0" }, _os.FdLog.Skip(1));
        Assert.Equal((true, false), _kernel.InterestOf(s.ConnectionFd!.Value));

        _os.FdLog.Clear();
        _kernel.Close(far);
        _kernel.RunUntilIdle();
        Assert.Equal(new[] { $"watch {conn} 0 0", $"close {conn}", $"watch {listen} 1 0" }, _os.FdLog);
        Assert.Equal((false, false), (s.ReadPoll, s.WritePoll));
        Assert.Equal(0, s.Counters.Drops(DropReason.WriteError));

        Far("/tmp/f0.sock");
        _kernel.RunUntilIdle();
        conn = s.ConnectionFd!.Value.Number;
        _os.FdLog.Clear();
        _stack.Delete(s);
        Assert.Equal(new[] { $"watch {conn} 0 0", $"close {conn}", $"watch {listen} 0 0", $"close {listen}" },
            _os.FdLog);
    }

    [Fact(DisplayName = "ST12: a client's reconnect timer is watched while armed, unwatched when it fires and at cleanup")]
    public void TimerFdLifecycle()
    {
        var s = Stream("stream,id=s0,reconnect-ms=5,addr.type=unix,addr.path=/tmp/none-f1.sock");
        int timer = int.Parse(_os.FdLog.Last().Split(' ')[1]);
        Assert.Equal($"watch {timer} 1 0", _os.FdLog.Last());
        _os.FdLog.Clear();
        for (int i = 0; i < 10 && _os.Calls.Count(c => c == nameof(IOsNet.Connect)) < 2; i++)
        {
            _kernel.RunOnce();
        }
        // Fired: unwatched, then the next attempt fails at once and arms it again.
        Assert.Equal($"watch {timer} 0 0", _os.FdLog.First());
        Assert.Equal($"watch {timer} 1 0", _os.FdLog.Last());
        _os.FdLog.Clear();
        _stack.Delete(s);
        Assert.Equal(new[] { $"watch {timer} 0 0", $"close {timer}" }, _os.FdLog);
    }

    [Fact(DisplayName = "ST10: a connecting socket is watched for writing only; then for reading once connected")]
    public void ConnectingInterest()
    {
        var listener = _kernel.Socket(SockDomain.Inet, SockType.Stream).Value;
        _kernel.Bind(listener, new InetSockAddr(IPAddress.Loopback, 7200));
        _kernel.Listen(listener, 1);
        var s = Stream("stream,id=s0,addr.type=inet,addr.host=127.0.0.1,addr.port=7200");
        int c = int.Parse(_os.FdLog.Single().Split(' ')[1]);
        Assert.Equal($"watch {c} 0 1", _os.FdLog.Single());
        _kernel.RunUntilIdle();
        Assert.Equal(new[] { $"watch {c} 0 1", $"watch {c} 0 0", $"watch {c} 1 0" }, _os.FdLog);
        Assert.True(s.IsConnected);
    }

    [Fact(DisplayName = "ST10: a connect refused after EINPROGRESS is unwatched and closed")]
    public void RefusedConnectClosed()
    {
        var s = Stream("stream,id=s0,addr.type=inet,addr.host=127.0.0.1,addr.port=7201");
        int c = int.Parse(_os.FdLog.Single().Split(' ')[1]);
        _kernel.RunUntilIdle();
        Assert.Equal(new[] { $"watch {c} 0 1", $"watch {c} 0 0", $"watch {c} 0 0", $"close {c}" }, _os.FdLog);
        Assert.Equal("error: Failed to connect to '127.0.0.1:7201': Connection refused", s.InfoStr);
    }

    [Fact(DisplayName = "ST11: back-pressure takes read interest off the connection in the kernel, not only the flag")]
    public void BackPressureInterest()
    {
        var s = Stream("stream,id=s0,server=on,addr.type=unix,addr.path=/tmp/f2.sock");
        var nic = new ScriptedClient(_stack, s, "nic0") { NextResult = 0 };
        var far = Far("/tmp/f2.sock");
        _kernel.RunUntilIdle();
        _kernel.Write(far, Framed(ScriptedClient.Frame(1)), default);
        _kernel.RunUntilIdle();
        Assert.Equal((false, false), _kernel.InterestOf(s.ConnectionFd!.Value));
        Assert.Equal(1, s.Counters.PeerBackpressureStalls);
        nic.NextResult = null;
        nic.FlushQueuedPackets();
        Assert.Equal((true, false), _kernel.InterestOf(s.ConnectionFd!.Value));
    }

    [Fact(DisplayName = "ST6: a stream closed for a bad header counts no back-pressure stall for the frame before it")]
    public void BadHeaderAfterQueuedFrame()
    {
        var s = Stream("stream,id=s0,server=on,addr.type=unix,addr.path=/tmp/f3.sock");
        _ = new ScriptedClient(_stack, s, "nic0") { NextResult = 0 };
        var far = Far("/tmp/f3.sock");
        _kernel.RunUntilIdle();
        _kernel.Write(far, Framed(ScriptedClient.Frame(1)).Concat(new byte[] { 0, 0, 0, 0 }).ToArray(), default);
        _kernel.RunUntilIdle();
        Assert.Equal(1, s.ProtocolErrors);
        Assert.Equal(0, s.Counters.PeerBackpressureStalls);
    }

    [Fact(DisplayName = "ST11: EAGAIN on the writev leaves the frame queued (0) with write interest on")]
    public void WriteEagainQueues()
    {
        var s = Stream("stream,id=s0,server=on,addr.type=unix,addr.path=/tmp/f4.sock");
        var nic = new ScriptedClient(_stack, s, "nic0");
        var far = Far("/tmp/f4.sock");
        _kernel.RunUntilIdle();
        _os.Fail(nameof(IOsNet.Write), Errno.EAGAIN);
        Assert.Equal(0, nic.SendAsync(ScriptedClient.Frame(2), nic));
        Assert.Equal((true, true), _kernel.InterestOf(s.ConnectionFd!.Value));
        Assert.Empty(nic.Completed);
        _kernel.RunUntilIdle();
        Assert.Single(nic.Completed);
        Assert.Equal(Framed(ScriptedClient.Frame(2)), Read(far));
    }

    private byte[] Read(Fd fd)
    {
        var got = new List<byte>();
        var buf = new byte[70000];
        while (_kernel.Read(fd, buf) is { Ok: true, Value: > 0 } r)
        {
            got.AddRange(buf.AsSpan(0, r.Value).ToArray());
        }
        return got.ToArray();
    }

    [Fact(DisplayName = "ST11: one writable event finishes the rest (EINTR retried at once) and flushes the queue")]
    public void OneWritableFinishesTheRest()
    {
        var s = Stream("stream,id=s0,server=on,addr.type=unix,addr.path=/tmp/f5.sock");
        var nic = new ScriptedClient(_stack, s, "nic0");
        var far = Far("/tmp/f5.sock");
        _kernel.RunUntilIdle();
        // 4 x (60000 + 4) + (22114 + 4) = 262144 - 10: the simulated buffer (256 KiB) is 10 bytes short of full.
        for (int i = 0; i < 4; i++)
        {
            nic.Send(new byte[60000]);
        }
        nic.Send(new byte[22114]);
        var half = ScriptedClient.Frame(7, 64);
        var next = ScriptedClient.Frame(8, 64);
        Assert.Equal(64, nic.SendAsync(half, nic));
        Assert.Equal(0, nic.SendAsync(next, nic));
        var got = Read(far);
        _os.Fail(nameof(IOsNet.Write), Errno.EINTR);
        s.OnWritable();
        Assert.False(s.WritePoll);
        got = got.Concat(Read(far)).ToArray();
        Assert.Equal(Framed(half).Concat(Framed(next)), got.Skip(262144 - 10));
    }

    [Fact(DisplayName = "ST11: a frame queued while the connection was stuck goes out whole on the next connection")]
    public void QueuedFrameOnNextConnection()
    {
        var s = Stream("stream,id=s0,server=on,addr.type=unix,addr.path=/tmp/f6.sock");
        var nic = new ScriptedClient(_stack, s, "nic0");
        var far = Far("/tmp/f6.sock");
        _kernel.RunUntilIdle();
        _os.Fail(nameof(IOsNet.Write), Errno.EAGAIN);
        Assert.Equal(0, nic.SendAsync(ScriptedClient.Frame(9), nic));
        _kernel.SocketOf(s.ConnectionFd!.Value)!.Reset = true;
        _kernel.RunOnce();
        Assert.False(s.IsConnected);
        Assert.Empty(nic.Completed);
        var far2 = Far("/tmp/f6.sock");
        _kernel.RunUntilIdle();
        Assert.Equal(Framed(ScriptedClient.Frame(9)), Read(far2));
        Assert.Single(nic.Completed);
        _ = far;
    }

    [Fact(DisplayName = "Q12: a deleted stream's frames still waiting at its peer are purged, never delivered")]
    public void StreamPurgesAtCleanup()
    {
        var s = Stream("stream,id=s0,server=on,addr.type=unix,addr.path=/tmp/f7.sock");
        var nic = new ScriptedClient(_stack, s, "nic0") { NextResult = 0 };
        var far = Far("/tmp/f7.sock");
        _kernel.RunUntilIdle();
        _kernel.Write(far, Framed(ScriptedClient.Frame(1)), default);
        _kernel.RunUntilIdle();
        Assert.Equal(1, nic.IncomingQueue.Count);
        _stack.Delete(s);
        Assert.Equal(0, nic.IncomingQueue.Count);
        nic.NextResult = null;
        nic.FlushQueuedPackets();
        Assert.Empty(nic.Got);
    }

    [Fact(DisplayName = "DG1, DG4: dgram watches for reading from the start; cleanup purges, unwatches, then closes")]
    public void DgramFdLifecycle()
    {
        var far = _kernel.Socket(SockDomain.Inet, SockType.Dgram).Value;
        Assert.True(_kernel.Bind(far, new InetSockAddr(IPAddress.Parse("169.254.1.2"), 2000)).Ok);
        var d = Dgram("dgram,id=d0,local.type=inet,local.host=169.254.1.1,local.port=1000,"
            + "remote.type=inet,remote.host=169.254.1.2,remote.port=2000");
        Assert.Equal("dgram", d.Model);
        Assert.Equal((true, false), _kernel.InterestOf(d.Fd));
        Assert.Equal((true, false), (d.ReadPoll, d.WritePoll));
        var nic = new ScriptedClient(_stack, d, "nic0") { NextResult = 0 };
        _kernel.SendTo(far, ScriptedClient.Frame(1), new InetSockAddr(IPAddress.Parse("169.254.1.1"), 1000));
        _kernel.RunUntilIdle();
        Assert.Equal(1, d.Counters.PeerBackpressureStalls);
        Assert.Equal((false, false), _kernel.InterestOf(d.Fd));
        Assert.Equal(1, nic.IncomingQueue.Count);

        _os.FdLog.Clear();
        _stack.Delete(d);
        // The purge completes the waiting frame, which turns reading back on just before the socket goes.
        Assert.Equal(new[] { $"watch {d.Fd.Number} 1 0", $"watch {d.Fd.Number} 0 0", $"close {d.Fd.Number}" },
            _os.FdLog);
        Assert.Equal(0, nic.IncomingQueue.Count);
        nic.NextResult = null;
        nic.FlushQueuedPackets();
        Assert.Empty(nic.Got);
    }

    [Fact(DisplayName = "ST5: a header split across reads is finished from the next read, which may hold more")]
    public void SplitHeader()
    {
        var d = new StreamDeframer();
        var sink = new Frames();
        var framed = Framed(ScriptedClient.Frame(3, 60));
        Assert.Equal(DeframeResult.Ok, d.Feed(framed.AsSpan(0, 2), sink));
        Assert.True(d.MidFrame);
        Assert.Equal((2, -1), d.Progress);
        Assert.Equal(DeframeResult.Ok, d.Feed(framed.AsSpan(2), sink));
        Assert.Equal(new[] { ScriptedClient.Frame(3, 60) }, sink.Got);
        Assert.False(d.MidFrame);
    }

    private sealed class Frames : IFrameSink
    {
        public List<byte[]> Got { get; } = new();

        public void OnFrame(ReadOnlySpan<byte> frame) => Got.Add(frame.ToArray());
    }
}
