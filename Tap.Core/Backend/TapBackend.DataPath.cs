using System.Runtime.CompilerServices;
using Tap.Core.Abi;
using Tap.Core.Net;
using Tap.Core.Os;

namespace Tap.Core.Backend;

public sealed partial class TapBackend
{
    /// <summary>R11-R15: write one packet from the net layer to the tap.</summary>
    // Inlined into the net layer's delivery (SendQueue.Deliver), so the write(2) returns through one frame fewer;
    // what is rare (a closed or vhost-owned fd, a failed write) is kept out of line in ReceiveSlow and WriteFailed.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override int Receive(ReadOnlySpan<byte> packet)
    {
        if (!_fdOpen || _broken || _vhostRunning)
        {
            return ReceiveSlow();
        }

        int prefix = HostVnetHdrLen != 0 && !UsingVnetHdr ? HostVnetHdrLen : 0;
        var r = _os.Write(_fd, ZeroHeader.AsSpan(0, prefix), packet);
        return r.Ok ? r.Value : WriteFailed(r.Error, prefix, packet);
    }

    /// <summary>Receive while the fd is closed, broken or owned by vhost.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int ReceiveSlow()
    {
        if (!_fdOpen || _broken)
        {
            Counters.CountDrop(DropReason.WriteError);
            return -1;
        }
        // R25c: the worker owns the tap; the packet waits in the net layer until vhost gives the queue back.
        return 0;
    }

    /// <summary>R13-R15: the write failed with <paramref name="error"/>; EINTR wrote nothing, so it is made again.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int WriteFailed(Errno error, int prefix, ReadOnlySpan<byte> packet)
    {
        while (error == Errno.EINTR)
        {
            var again = _os.Write(_fd, ZeroHeader.AsSpan(0, prefix), packet);
            if (again.Ok)
            {
                return again.Value;
            }
            error = again.Error;
        }

        if (error == Errno.EAGAIN)
        {
            Counters.EagainStalls++;
            SetWritePoll(true);
            return 0;
        }

        Counters.CountDrop(DropReason.WriteError);
        if (error == Errno.EBADFD)
        {
            MarkBroken("write", error);
        }
        else if (error != _lastReportedWriteError)
        {
            // QEMU drops these silently (D-15). One line per kind of failure: the counters carry the rest.
            _lastReportedWriteError = error;
            _os.Report(new Diagnostic(DiagnosticKind.Warning,
                $"tap {Name}: dropping packets to the host: write failed: {ErrnoText.Of(error)}"));
        }
        return -1;
    }

    /// <summary>R16: the fd became writable while the write watch was on.</summary>
    public void OnWritable()
    {
        if (!_fdOpen)
        {
            return;
        }
        SetWritePoll(false);
        FlushQueuedPackets();
    }

    /// <summary>R20-R23: forward up to 50 frames from the tap to the peer.</summary>
    public void OnReadable()
    {
        int packets = 0;
        while (_fdOpen && !_broken)
        {
            // Lent, not copied, where the system can (io_uring): the frame is used only until SendAsync returns.
            var r = _os.ReadFrame(_fd, _buf, out ReadOnlySpan<byte> frame);
            if (!r.Ok)
            {
                if (r.Error == Errno.EBADFD)
                {
                    MarkBroken("read", r.Error);
                }
                else if (r.Error != Errno.EAGAIN && r.Error != Errno.EINTR)
                {
                    Counters.CountDrop(DropReason.ReadError);
                }
                break;
            }

            int size = r.Value;
            if (size <= 0)
            {
                break;
            }

            FramesRead++;
            if (HostVnetHdrLen != 0 && !UsingVnetHdr)
            {
                if (size <= HostVnetHdrLen)
                {
                    // QEMU would pass on a negative or empty frame (R23b, D1); a real kernel never reads this.
                    Counters.CountDrop(DropReason.ShortRead);
                    if (++packets >= MaxPacketsPerWakeup)
                    {
                        break;
                    }
                    continue;
                }
                frame = frame[HostVnetHdrLen..];
            }

            if (frame.Length < NetLimits.EthZLenBytes && NetStack.PeerNeedsPadding(this))
            {
                frame.CopyTo(_minFrame);
                _minFrame.AsSpan(frame.Length).Clear();
                frame = _minFrame;
            }

            int sent = SendAsync(frame, this);
            if (sent == 0)
            {
                Counters.PeerBackpressureStalls++;
                SetReadPoll(false);
                break;
            }
            if (sent < 0)
            {
                break;
            }

            if (++packets >= MaxPacketsPerWakeup)
            {
                break;
            }
        }
    }

    /// <summary>R24: the peer took (or purged) the frame we queued; read again.</summary>
    public void OnSendCompleted(NetClient sender, int length) => SetReadPoll(true);

    /// <summary>
    /// D-17: the kernel says the device is gone. QEMU keeps the permanently-ready fd registered and spins; we stop
    /// watching it, take the link down towards the peer, and say so once.
    /// </summary>
    private void MarkBroken(string operation, Errno error)
    {
        if (_broken)
        {
            return;
        }
        _broken = true;
        LinkDown = true;
        UpdateFdHandler();
        _os.Report(new Diagnostic(DiagnosticKind.Warning,
            $"tap {Name}: {operation} failed: {ErrnoText.Of(error)}; the interface is gone, queue stopped"));
    }
}
