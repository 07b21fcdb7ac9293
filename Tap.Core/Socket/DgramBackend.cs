using Tap.Core.Abi;
using Tap.Core.Net;
using Tap.Core.Os;

namespace Tap.Core.Socket;

/// <summary>
/// <c>-netdev dgram</c> (QEMU's net/dgram.c, DG1-DG6): one frame per datagram, sent to a fixed destination (or on
/// a connected fd), one datagram read per wakeup. Same queue rules as the tap: read interest off while the peer
/// cannot take a frame, write interest on after EAGAIN, send completion turning reading back on.
/// </summary>
public sealed class DgramBackend : NetClient, IFdHandler, INetCompletion
{
    /// <summary>
    /// The receive buffer: one byte more than NET_BUFSIZE, so a datagram the net layer could not take shows as
    /// cut (DG5) instead of being passed on short.
    /// </summary>
    private const int ReceiveBufferBytes = NetLimits.NetBufSizeBytes + 1;

    private readonly IOsNet _os;
    private readonly byte[] _buf = new byte[ReceiveBufferBytes];
    private readonly SockAddr? _destination;
    private readonly string? _unlinkOnCleanup;
    private Fd _fd;
    private bool _open = true;
    private bool _readPoll;
    private bool _writePoll;

    internal DgramBackend(NetStack stack, string name, IOsNet os, Fd fd, SockAddr? destination, string info,
        string? unlinkOnCleanup)
        : base(stack, null, "dgram", name)
    {
        _os = os;
        _fd = fd;
        _destination = destination;
        _unlinkOnCleanup = unlinkOnCleanup;
        SetInfoStr(info);
        SetPoll(read: true, write: false);
    }

    /// <summary>The socket.</summary>
    public Fd Fd => _fd;

    /// <summary>Read interest as last applied.</summary>
    public bool ReadPoll => _readPoll;

    /// <summary>Write interest as last applied.</summary>
    public bool WritePoll => _writePoll;

    /// <summary>DG4: one datagram per wakeup, as QEMU's net_dgram_send.</summary>
    public void OnReadable()
    {
        if (!_open)
        {
            return;
        }
        var r = _os.Read(_fd, _buf);
        if (!r.Ok)
        {
            if (r.Error is not Errno.EAGAIN and not Errno.EINTR)
            {
                Counters.CountDrop(DropReason.ReadError);
            }
            return;
        }
        int size = r.Value;
        if (size < NetLimits.EthHeaderBytes || size > NetLimits.NetBufSizeBytes)
        {
            // QEMU stops reading for good on an empty datagram and passes runts on; neither is a frame (DG5).
            Counters.CountDrop(DropReason.NotAFrame);
            return;
        }
        if (SendAsync(_buf.AsSpan(0, size), this) == 0)
        {
            Counters.PeerBackpressureStalls++;
            SetPoll(read: false, _writePoll);
        }
    }

    /// <summary>DG4: the peer took the datagram we queued.</summary>
    public void OnSendCompleted(NetClient sender, int length) => SetPoll(read: true, _writePoll);

    /// <summary>DG3: one sendto per frame; EAGAIN keeps it queued until writable.</summary>
    public override int Receive(ReadOnlySpan<byte> packet)
    {
        if (!_open)
        {
            Counters.CountDrop(DropReason.WriteError);
            return -1;
        }
        SysResult<int> r;
        do
        {
            r = _os.SendTo(_fd, packet, _destination);
        }
        while (r.Error == Errno.EINTR);
        if (r.Ok)
        {
            return r.Value;
        }
        if (r.Error == Errno.EAGAIN)
        {
            Counters.EagainStalls++;
            SetPoll(_readPoll, write: true);
            return 0;
        }
        // QEMU returns -errno: the frame is lost (an ICMP error on UDP, a unix peer not bound yet).
        Counters.CountDrop(DropReason.WriteError);
        return -1;
    }

    /// <summary>The socket can take datagrams again.</summary>
    public void OnWritable()
    {
        if (!_open)
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
        if (_open)
        {
            _os.Watch(_fd, this, read, write);
        }
    }

    /// <summary>Closes the socket, and removes the socket file we bound (QEMU leaves it).</summary>
    protected internal override void Cleanup()
    {
        if (!_open)
        {
            return;
        }
        PurgeQueuedPackets();
        _os.Watch(_fd, this, false, false);
        _os.Close(_fd);
        _open = false;
        if (_unlinkOnCleanup is { } path)
        {
            _ = _os.Unlink(path);
        }
    }
}
