using System.Buffers.Binary;
using Tap.Core.Abi;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;

namespace Tap.Core.Socket;

/// <summary>
/// <c>-netdev stream</c> (QEMU's net/stream.c, ST1-ST12): one net client that carries frames over a connected
/// stream socket, each behind a 4-byte big-endian length. As a server it listens and serves one peer at a time;
/// as a client it connects, and reconnects after a delay when asked. The data path follows the tap's rules: read
/// interest off while the peer cannot take a frame, write interest on while the socket cannot take one, send
/// completion turning reading back on.
/// </summary>
public sealed partial class StreamBackend : NetClient, IFdHandler, INetCompletion, IFrameSink
{
    private const long NsPerMs = 1_000_000;

    private readonly IOsNet _os;
    private readonly StreamOptions _options;
    private readonly uint _reconnectMs;
    private readonly byte[] _readBuf = new byte[NetLimits.NetBufSizeBytes];
    private readonly byte[] _header = new byte[StreamDeframer.HeaderBytes];
    private readonly StreamDeframer _deframer = new();
    private readonly ListenHandler _listenHandler;
    private readonly TimerHandler _timerHandler;

    private Fd? _listenFd;
    private Fd? _conn;
    private Fd? _timer;
    private bool _connecting;
    private bool _timerArmed;
    private bool _readPoll;
    private bool _writePoll;
    private bool _peerBusy;
    private readonly byte[] _rest = new byte[StreamDeframer.HeaderBytes + StreamDeframer.MaxFrameBytes];
    private int _restLength;
    private int _restSent;
    private string? _lastConnectError;
    private List<InetSockAddr>? _candidates;
    private bool _unlinkOnCleanup;

    private StreamBackend(NetStack stack, NetClient? peer, string name, IOsNet os, StreamOptions options,
        uint reconnectMs)
        : base(stack, peer, "stream", name)
    {
        _os = os;
        _options = options;
        _reconnectMs = reconnectMs;
        _listenHandler = new ListenHandler(this);
        _timerHandler = new TimerHandler(this);
    }

    /// <summary>True while a peer is connected.</summary>
    public bool IsConnected => _conn is not null && !_connecting;

    /// <summary>True for <c>server=on</c>.</summary>
    public bool IsServer => _options.Server == true;

    /// <summary>Connections made (accepted or connected) since creation.</summary>
    public long Connections { get; private set; }

    /// <summary>Connections that ended (end of stream, error, or a bad header).</summary>
    public long Disconnections { get; private set; }

    /// <summary>Streams closed for what the peer sent (a bad length or an end inside a frame, ST6, ST7).</summary>
    public long ProtocolErrors { get; private set; }

    /// <summary>The connected socket, if any (tests and traces).</summary>
    public Fd? ConnectionFd => _conn;

    /// <summary>Read interest on the connection as last applied.</summary>
    public bool ReadPoll => _readPoll;

    /// <summary>Write interest on the connection as last applied.</summary>
    public bool WritePoll => _writePoll;

    /// <summary>
    /// Creates the client and starts listening or connecting (ST9, ST10). What fails from here on is not an init
    /// error in QEMU: the netdev exists, its info string says <c>error: ...</c>, and we also warn once.
    /// </summary>
    internal static StreamBackend Start(NetStack stack, NetClient? peer, string name, IOsNet os,
        StreamOptions options, uint reconnectMs)
    {
        var s = new StreamBackend(stack, peer, name, os, options, reconnectMs);
        s.LinkDown = true;
        if (s.IsServer)
        {
            // QEMU says "initializing" until its asynchronous listen ends; ours ends before anyone can look.
            s.StartListening();
        }
        else
        {
            s.SetInfoStr("connecting");
            s.BeginConnect();
        }
        return s;
    }

    // ---- Data path: socket -> peer (ST5-ST7, ST11) ----

    /// <summary>One read of up to NET_BUFSIZE bytes per wakeup, as QEMU's net_stream_send does.</summary>
    public void OnReadable()
    {
        if (_conn is not { } fd)
        {
            return;
        }
        if (_connecting)
        {
            // epoll reports a failed connect as an error, which a main loop may hand to the read side.
            FinishConnect(fd);
            return;
        }
        var r = _os.Read(fd, _readBuf);
        if (!r.Ok)
        {
            if (r.Error is Errno.EAGAIN or Errno.EINTR)
            {
                return;
            }
            Disconnect(null);
            return;
        }
        if (r.Value == 0)
        {
            if (_deframer.MidFrame)
            {
                var (have, length) = _deframer.Progress;
                Disconnect(length < 0
                    ? $"the peer closed the stream inside a frame header ({have} of 4 bytes); connection closed"
                    : $"the peer closed the stream inside a frame ({have} of {length} bytes); connection closed");
            }
            else
            {
                Disconnect(null);
            }
            return;
        }

        _peerBusy = false;
        var result = _deframer.Feed(_readBuf.AsSpan(0, r.Value), this);
        if (result != DeframeResult.Ok)
        {
            Disconnect(result == DeframeResult.ZeroLength
                ? "the peer sent a frame of length 0; connection closed"
                : $"the peer announced a frame of {_deframer.RejectedLength} bytes, more than "
                    + $"{StreamDeframer.MaxFrameBytes}; connection closed");
            return;
        }
        if (_peerBusy)
        {
            Counters.PeerBackpressureStalls++;
            SetPoll(read: false, _writePoll);
        }
    }

    /// <inheritdoc/>
    void IFrameSink.OnFrame(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < NetLimits.EthHeaderBytes)
        {
            // ST6: a whole record, so the stream stays framed, but no Ethernet frame: QEMU passes it on and the
            // tap's write fails, blamed on the tap. Counted here, at its source, as dgram does (DG5).
            Counters.CountDrop(DropReason.NotAFrame);
            return;
        }
        if (SendAsync(frame, this) == 0)
        {
            _peerBusy = true;
        }
    }

    /// <summary>ST11: the peer took a frame we queued: read again.</summary>
    public void OnSendCompleted(NetClient sender, int length)
    {
        if (IsConnected)
        {
            SetPoll(read: true, _writePoll);
        }
    }

    // ---- Data path: peer -> socket (ST5, ST11) ----

    /// <summary>
    /// Writes the length and the frame in one writev. EAGAIN keeps the frame queued (0). A partial write takes the
    /// frame: its unwritten rest is kept here and finished first when the socket is writable, and until then every
    /// frame waits in the queue (0). QEMU instead resumes the queued frame at a byte offset, which misframes the
    /// stream when that frame is purged in between (ST11).
    /// </summary>
    public override int Receive(ReadOnlySpan<byte> packet)
    {
        if (_conn is not { } fd || _connecting)
        {
            // QEMU's net layer drops for a link that is down; a frame queued before the peer went ends here.
            Counters.CountDrop(DropReason.ReceiverLinkDown);
            return packet.Length;
        }
        if (_restLength > 0)
        {
            return 0;
        }
        BinaryPrimitives.WriteUInt32BigEndian(_header, (uint)packet.Length);
        int total = StreamDeframer.HeaderBytes + packet.Length;
        SysResult<int> r;
        do
        {
            r = _os.Write(fd, _header, packet);
        }
        while (r.Error == Errno.EINTR);

        if (!r.Ok && r.Error != Errno.EAGAIN)
        {
            // The read side sees the same failure and closes the connection; this frame is lost.
            Counters.CountDrop(DropReason.WriteError);
            return -1;
        }
        int written = r.Ok ? r.Value : 0;
        if (written == total)
        {
            return packet.Length;
        }
        Counters.EagainStalls++;
        SetPoll(_readPoll, write: true);
        if (written == 0)
        {
            return 0;
        }
        int fromHeader = Math.Max(0, StreamDeframer.HeaderBytes - written);
        _header.AsSpan(StreamDeframer.HeaderBytes - fromHeader).CopyTo(_rest);
        packet[Math.Max(0, written - StreamDeframer.HeaderBytes)..].CopyTo(_rest.AsSpan(fromHeader));
        _restLength = total - written;
        _restSent = 0;
        return packet.Length;
    }

    /// <summary>Writes what is left of a partly written frame; true when none is left.</summary>
    private bool FinishRest(Fd fd)
    {
        while (_restSent < _restLength)
        {
            var r = _os.Write(fd, _rest.AsSpan(_restSent, _restLength - _restSent), default);
            if (r.Error == Errno.EINTR)
            {
                continue;
            }
            if (!r.Ok)
            {
                return false; // EAGAIN: wait for writable; an error: the read side closes the connection
            }
            _restSent += r.Value;
        }
        _restLength = 0;
        _restSent = 0;
        return true;
    }

    /// <summary>The connection became writable: finish a connect, or flush what waits (ST11).</summary>
    public void OnWritable()
    {
        if (_conn is not { } fd)
        {
            return;
        }
        if (_connecting)
        {
            FinishConnect(fd);
            return;
        }
        if (_restLength > 0 && !FinishRest(fd))
        {
            return;
        }
        SetPoll(_readPoll, write: false);
        FlushQueuedPackets();
    }

    private void SetPoll(bool read, bool write)
    {
        _readPoll = read;
        _writePoll = write;
        if (_conn is { } fd)
        {
            _os.Watch(fd, this, read && !_connecting, write || _connecting);
        }
    }

    /// <summary>Takes a freshly connected or accepted socket into use (ST9, ST10).</summary>
    private void Attach(Fd fd, string info)
    {
        _conn = fd;
        _connecting = false;
        _candidates = null;
        _lastConnectError = null;
        _restLength = 0;
        _deframer.Reset();
        SetInfoStr(info);
        LinkDown = false;
        Connections++;
        SetPoll(read: true, write: false);
        // Frames queued for us before this connection go out on it, whole.
        FlushQueuedPackets();
    }

    /// <summary>Ends the current connection; <paramref name="warning"/> says why when the peer broke the
    /// protocol (ST6, ST7).</summary>
    private void Disconnect(string? warning)
    {
        if (_conn is not { } fd)
        {
            return;
        }
        if (warning is not null)
        {
            ProtocolErrors++;
            _os.Report(new Diagnostic(DiagnosticKind.Warning, $"netdev {Name}: {warning}"));
        }
        _os.Watch(fd, this, false, false);
        _os.Close(fd);
        _conn = null;
        _readPoll = false;
        _writePoll = false;
        if (_restLength > 0)
        {
            // The frame was taken; its end never left.
            Counters.CountDrop(DropReason.WriteError);
            _restLength = 0;
        }
        // The deframer keeps what was half read until the next connection starts it clean (Attach).
        LinkDown = true;
        Disconnections++;
        if (_listenFd is { } listen)
        {
            SetInfoStr("listening");
            _os.Watch(listen, _listenHandler, true, false);
        }
        else
        {
            ArmReconnect();
        }
    }

    /// <summary>R40-like cleanup: every fd closed and unwatched, the socket file we made removed.</summary>
    protected internal override void Cleanup()
    {
        PurgeQueuedPackets();
        if (_conn is { } c)
        {
            _os.Watch(c, this, false, false);
            _os.Close(c);
            _conn = null;
        }
        if (_listenFd is { } l)
        {
            _os.Watch(l, _listenHandler, false, false);
            _os.Close(l);
            _listenFd = null;
            if (_unlinkOnCleanup && _options.Addr is UnixAddressOptions u)
            {
                _ = _os.Unlink(u.Path);
            }
        }
        if (_timer is { } t)
        {
            _os.Watch(t, _timerHandler, false, false);
            _os.Close(t);
            _timer = null;
        }
    }
}
