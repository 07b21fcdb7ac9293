using System.Buffers.Binary;
using System.Net;
using Tap.Core.Abi;
using Tap.Core.Net;
using Tap.Core.Os;
using Tap.Core.Socket;
using Tap.Sim;
using Tap.Tests.Core;

namespace Tap.Tests.Sockets;

/// <summary>The stream netdev on the simulated kernel, with the test as the far end (docs/stream-dgram.md).</summary>
public sealed class StreamSimTests
{
    private readonly SimKernel _kernel = new(11);
    private readonly NetStack _stack = new();

    private StreamBackend Create(string arg) => SocketNetdevs.Stream(_stack, _kernel, arg);

    private static byte[] Framed(params byte[][] frames) => FramingModel.Encode(frames);

    private Fd ConnectUnix(string path) => SocketNetdevs.ConnectUnix(_kernel, path);

    private byte[] ReadAll(Fd fd)
    {
        var got = new List<byte>();
        var buf = new byte[70000];
        while (_kernel.Read(fd, buf) is { Ok: true, Value: > 0 } r)
        {
            got.AddRange(buf.AsSpan(0, r.Value).ToArray());
        }
        return got.ToArray();
    }

    [Fact]
    public void ST8_ST9_server_accepts_a_peer_and_carries_frames_both_ways_with_a_length_in_front()
    {
        var s = Create("stream,id=s0,server=on,addr.type=unix,addr.path=/tmp/s0.sock");
        var nic = new ScriptedClient(_stack, s, "nic0");
        Assert.Equal("listening", s.InfoStr);
        Assert.True(s.LinkDown);

        var far = ConnectUnix("/tmp/s0.sock");
        _kernel.RunUntilIdle();
        Assert.Equal("unix:/tmp/s0.sock", s.InfoStr);
        Assert.False(s.LinkDown);

        var a = ScriptedClient.Frame(1, 60);
        var b = ScriptedClient.Frame(2, 1514);
        Assert.True(_kernel.Write(far, Framed(a, b), default).Ok);
        _kernel.RunUntilIdle();
        Assert.Equal(new[] { a, b }, nic.Got);

        var c = ScriptedClient.Frame(3, 100);
        Assert.Equal(100, nic.Send(c));
        Assert.Equal(Framed(c), ReadAll(far));
    }

    [Fact]
    public void ST8_a_second_peer_waits_until_the_first_goes_then_is_served()
    {
        var s = Create("stream,id=s0,server=on,addr.type=unix,addr.path=/tmp/s1.sock");
        var nic = new ScriptedClient(_stack, s, "nic0");
        var first = ConnectUnix("/tmp/s1.sock");
        _kernel.RunUntilIdle();
        var second = ConnectUnix("/tmp/s1.sock");
        Assert.True(_kernel.Write(second, Framed(ScriptedClient.Frame(9)), default).Ok);
        // The listening socket is not watched meanwhile: the loop goes idle instead of spinning on it.
        Assert.True(_kernel.RunUntilIdle() < 10, "the loop went idle with a peer waiting in the backlog");
        Assert.Empty(nic.Got);

        _kernel.Close(first);
        _kernel.RunUntilIdle();
        Assert.Equal(new[] { ScriptedClient.Frame(9) }, nic.Got);
        Assert.Equal(2, s.Connections);
        Assert.Equal(1, s.Disconnections);
    }

    [Theory]
    [InlineData(0u, "netdev s0: the peer sent a frame of length 0; connection closed")]
    [InlineData(69633u, "netdev s0: the peer announced a frame of 69633 bytes, more than 69632; connection closed")]
    public void ST6_a_bad_length_closes_the_stream_with_one_warning_and_delivers_nothing(uint length, string warning)
    {
        var s = Create("stream,id=s0,server=on,addr.type=unix,addr.path=/tmp/s2.sock");
        var nic = new ScriptedClient(_stack, s, "nic0");
        var far = ConnectUnix("/tmp/s2.sock");
        var bytes = new byte[4 + 100];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, length);
        _kernel.Write(far, bytes, default);
        _kernel.RunUntilIdle();
        Assert.Empty(nic.Got);
        Assert.Equal(new[] { warning }, _kernel.Reports.Select(r => r.Message));
        Assert.Equal(DiagnosticKind.Warning, _kernel.Reports[0].Kind);
        Assert.Equal("listening", s.InfoStr);
        Assert.Equal(0, _kernel.Read(far, new byte[10]).Value); // we closed our end
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(13)]
    public void ST6_a_record_too_short_for_an_Ethernet_header_is_a_counted_drop_and_the_stream_stays(int length)
    {
        var s = Create("stream,id=s0,server=on,addr.type=unix,addr.path=/tmp/s9.sock");
        var nic = new ScriptedClient(_stack, s, "nic0");
        var far = ConnectUnix("/tmp/s9.sock");
        var runt = new byte[length];
        var next = ScriptedClient.Frame(6, 14); // the shortest that holds a header
        _kernel.Write(far, Framed(runt, next), default);
        _kernel.RunUntilIdle();
        Assert.Equal(new[] { next }, nic.Got);
        Assert.Equal(1, s.Counters.Drops(DropReason.NotAFrame));
        Assert.Empty(_kernel.Reports);
        Assert.True(s.IsConnected);
    }

    [Fact]
    public void ST7_an_end_inside_a_frame_delivers_nothing_of_it()
    {
        var s = Create("stream,id=s0,server=on,addr.type=unix,addr.path=/tmp/s3.sock");
        var nic = new ScriptedClient(_stack, s, "nic0");
        var far = ConnectUnix("/tmp/s3.sock");
        var whole = ScriptedClient.Frame(4, 80);
        var cut = Framed(ScriptedClient.Frame(5, 80))[..50];
        _kernel.Write(far, Framed(whole).Concat(cut).ToArray(), default);
        _kernel.Close(far);
        _kernel.RunUntilIdle();
        Assert.Equal(new[] { whole }, nic.Got);
        Assert.Equal(new[] { "netdev s0: the peer closed the stream inside a frame (46 of 80 bytes); connection closed" },
            _kernel.Reports.Select(r => r.Message));
    }

    [Fact]
    public void ST10_client_connects_over_tcp_and_names_the_server()
    {
        var listener = _kernel.Socket(SockDomain.Inet, SockType.Stream).Value;
        _kernel.Bind(listener, new InetSockAddr(IPAddress.Loopback, 5555));
        _kernel.Listen(listener, 1);
        var s = Create("stream,id=s0,addr.type=inet,addr.host=127.0.0.1,addr.port=5555");
        Assert.Equal("connecting", s.InfoStr);
        _kernel.RunUntilIdle();
        Assert.Equal("tcp:127.0.0.1:5555", s.InfoStr);
        Assert.True(s.IsConnected);
        Assert.True(_kernel.Accept(listener).Ok);
    }

    [Fact]
    public void ST10_ST12_client_without_a_server_says_why_and_reconnects_after_the_delay()
    {
        var s = Create("stream,id=s0,reconnect-ms=5,addr.type=inet,addr.host=127.0.0.1,addr.port=5556");
        _kernel.RunOnce();
        Assert.Equal("connecting", s.InfoStr);
        Assert.Equal(new[] { "netdev s0: Failed to connect to '127.0.0.1:5556': Connection refused" },
            _kernel.Reports.Select(r => r.Message));

        var listener = _kernel.Socket(SockDomain.Inet, SockType.Stream).Value;
        _kernel.Bind(listener, new InetSockAddr(IPAddress.Loopback, 5556));
        _kernel.Listen(listener, 1);
        for (int i = 0; i < 10 && !s.IsConnected; i++)
        {
            _kernel.RunOnce();
        }
        Assert.True(s.IsConnected, "reconnected within 10 ticks of a 5 ms delay");
        Assert.Equal("tcp:127.0.0.1:5556", s.InfoStr);
        Assert.Single(_kernel.Reports);
    }

    [Fact]
    public void ST10_client_without_reconnect_stays_down_after_a_refusal()
    {
        var s = Create("stream,id=s0,addr.type=unix,addr.path=/tmp/none.sock");
        for (int i = 0; i < 20; i++)
        {
            _kernel.RunOnce();
        }
        Assert.False(s.IsConnected);
        Assert.Equal("error: Failed to connect to '/tmp/none.sock': No such file or directory", s.InfoStr);
    }

    [Fact]
    public void ST11_a_partial_write_finishes_the_frame_before_the_next()
    {
        var s = Create("stream,id=s0,server=on,addr.type=unix,addr.path=/tmp/s4.sock");
        var nic = new ScriptedClient(_stack, s, "nic0");
        var far = ConnectUnix("/tmp/s4.sock");
        _kernel.RunUntilIdle();
        // Fill the far end's buffer to 10 bytes short of full: the next frame goes out in two parts.
        // 4 x (60000 + 4) + (22114 + 4) = 262144 - 10, the simulated buffer being 256 KiB.
        var big = new byte[60000];
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(big.Length, nic.Send(big));
        }
        var filler = new byte[22114];
        Assert.Equal(filler.Length, nic.Send(filler));
        var frame = ScriptedClient.Frame(7, 64);
        var next = ScriptedClient.Frame(8, 64);
        // 10 of its 68 bytes go out: the frame is taken, its rest kept; the next one waits in the queue.
        Assert.Equal(64, nic.SendAsync(frame, nic));
        Assert.True(s.WritePoll);
        Assert.Equal(0, nic.SendAsync(next, nic));
        var got = ReadAll(far);
        _kernel.RunUntilIdle();
        got = got.Concat(ReadAll(far)).ToArray();
        _kernel.RunUntilIdle();
        got = got.Concat(ReadAll(far)).ToArray();
        Assert.Equal(Framed(big, big, big, big, filler, frame, next), got);
        Assert.Equal(new[] { (NetClient)nic }, nic.Completed.Select(c => c.Sender));
        Assert.False(s.WritePoll);
    }

    [Fact]
    public void ST9_cleanup_closes_every_fd_and_removes_the_socket_file()
    {
        int before = _kernel.OpenFds.Count;
        var s = Create("stream,id=s0,server=on,addr.type=unix,addr.path=/tmp/s5.sock");
        var far = ConnectUnix("/tmp/s5.sock");
        _kernel.RunUntilIdle();
        _stack.Delete(s);
        _kernel.Close(far);
        Assert.Equal(before, _kernel.OpenFds.Count);
        Assert.DoesNotContain("/tmp/s5.sock", _kernel.SocketFiles);
    }

    [Fact]
    public void ST9_a_path_in_use_leaves_the_netdev_with_QEMUs_message()
    {
        var other = _kernel.Socket(SockDomain.Unix, SockType.Stream).Value;
        Assert.True(_kernel.Bind(other, new UnixSockAddr("/nonexistent/x.sock")).Error == Errno.ENOENT);
        var s = Create("stream,id=s0,server=on,addr.type=unix,addr.path=/nonexistent/x.sock");
        Assert.Equal("error: Failed to bind socket to /nonexistent/x.sock: No such file or directory", s.InfoStr);
    }

    [Fact(DisplayName = "ST11: a peer that cannot take frames turns reading off; the completion turns it back on")]
    public void ST11_back_pressure_through_the_send_queue()
    {
        var s = Create("stream,id=s0,server=on,addr.type=unix,addr.path=/tmp/s6.sock");
        var nic = new ScriptedClient(_stack, s, "nic0") { NextResult = 0 };
        var far = ConnectUnix("/tmp/s6.sock");
        _kernel.RunUntilIdle();
        _kernel.Write(far, Framed(ScriptedClient.Frame(1), ScriptedClient.Frame(2)), default);
        _kernel.Write(far, Framed(ScriptedClient.Frame(3)), default);
        _kernel.RunUntilIdle();
        Assert.False(s.ReadPoll);
        Assert.Equal(1, s.Counters.PeerBackpressureStalls);
        Assert.Empty(nic.Got);

        nic.NextResult = null;
        nic.FlushQueuedPackets();
        _kernel.RunUntilIdle();
        Assert.True(s.ReadPoll);
        Assert.Equal(new[] { ScriptedClient.Frame(1), ScriptedClient.Frame(2), ScriptedClient.Frame(3) }, nic.Got);
    }

    [Fact(DisplayName = "ST12: a client whose server goes away reconnects to the next one after the delay")]
    public void ST12_reconnect_after_the_peer_goes()
    {
        var server = Create("stream,id=s0,server=on,addr.type=unix,addr.path=/tmp/s7.sock");
        var client = Create("stream,id=s1,reconnect=1,addr.type=unix,addr.path=/tmp/s7.sock");
        _kernel.RunUntilIdle();
        Assert.True(client.IsConnected);
        _stack.Delete(server);
        _kernel.RunOnce();
        Assert.False(client.IsConnected);
        Assert.Equal("connecting", client.InfoStr);

        long lostAt = _kernel.NowNs;
        var again = Create("stream,id=s2,server=on,addr.type=unix,addr.path=/tmp/s7.sock");
        for (int i = 0; i < 100 && !client.IsConnected; i++)
        {
            Assert.True(_kernel.NowNs < lostAt + 1_000_000_000, "reconnect=1 waits a second on the monotonic clock");
            _kernel.RunOnce();
        }
        Assert.True(client.IsConnected, "the client reconnects once its timer is due");
        Assert.Equal(lostAt + 1_000_000_000, _kernel.NowNs);
        _kernel.RunUntilIdle();
        Assert.True(again.IsConnected, "the new server accepts the client");
        Assert.Equal(2, client.Connections);
    }

    [Fact(DisplayName = "ST4, ST10: addr.type=fd uses a connected socket it is handed; a number that is not a socket is refused")]
    public void ST10_fd_address()
    {
        var (ours, theirs) = _kernel.AddSocketPair(SockType.Stream);
        var s = Create($"stream,id=s0,addr.type=fd,addr.str={ours.Number}");
        var nic = new ScriptedClient(_stack, s, "nic0");
        Assert.True(s.IsConnected);
        Assert.Equal("unix:", s.InfoStr);
        _kernel.Write(theirs, Framed(ScriptedClient.Frame(4)), default);
        _kernel.RunUntilIdle();
        Assert.Equal(new[] { ScriptedClient.Frame(4) }, nic.Got);

        var other = _kernel.AddOtherFd("/dev/null");
        var bad = Create($"stream,id=s1,addr.type=fd,addr.str={other.Number}");
        Assert.Equal($"error: File descriptor '{other.Number}' is not a socket", bad.InfoStr);
    }

    [Fact(DisplayName = "ST11: a sender deleted while its frame is half written leaves the stream well framed")]
    public void ST11_purge_after_a_partial_write_keeps_the_framing()
    {
        var s = Create("stream,id=s0,server=on,addr.type=unix,addr.path=/tmp/s8.sock");
        var nic = new ScriptedClient(_stack, s, "nic0");
        var far = ConnectUnix("/tmp/s8.sock");
        _kernel.RunUntilIdle();
        var big = new byte[60000];
        for (int i = 0; i < 4; i++)
        {
            nic.Send(big);
        }
        var filler = new byte[22114];
        nic.Send(filler);
        var half = ScriptedClient.Frame(7, 64);
        var purged = ScriptedClient.Frame(8, 64);
        nic.SendAsync(half, nic);
        Assert.Equal(0, nic.SendAsync(purged, nic));
        _stack.Delete(nic);
        var nic2 = new ScriptedClient(_stack, s, "nic1");
        var after = ScriptedClient.Frame(9, 64);
        nic2.SendAsync(after, nic2);

        var got = new List<byte>();
        for (int i = 0; i < 5; i++)
        {
            got.AddRange(ReadAll(far));
            _kernel.RunUntilIdle();
        }
        var decoded = FramingModel.Decode(got.ToArray());
        Assert.False(decoded.BadHeader || decoded.Cut);
        // Whether the queued frame of the deleted sender still goes out is the net layer's business (Q18); every
        // frame that arrives is whole and the stream stays framed.
        Assert.Equal(new[] { big, big, big, big, filler, half, after },
            decoded.Frames.Where(f => !f.AsSpan().SequenceEqual(purged)));
    }
}
