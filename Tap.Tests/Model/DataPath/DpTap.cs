namespace Tap.Tests.Model.DataPath;

/// <summary>
/// One TAP queue client of the model, written from tap-backend.md: creation (R5-R9), the receive path (R11-R16),
/// the send path (R20-R24), enable/disable (R26-R27), the header, offload and endianness operations (R30-R33) and
/// cleanup (R40), with TapNet's documented differences (drops counted, D-15; short reads dropped, R23b; one warning
/// per kind of write failure; a gone interface stops the queue and takes the link down instead of spinning, D-17;
/// failing header or endianness ioctls are reported instead of aborting, D-16).
/// </summary>
public sealed class DpTap : DpClient
{
    /// <summary>At most 50 frames per readable callback (R22).</summary>
    public const int PacketsPerWakeup = 50;

    /// <summary>ETH_ZLEN: frames for a padding peer are at least 60 bytes (§1, Q16).</summary>
    public const int EthZLen = 60;

    /// <summary>sizeof(virtio_net_hdr) (§1).</summary>
    public const int VnetHdrBytes = 10;

    private readonly DpKernel _kernel;
    private bool _readPoll;
    private bool _writePoll;
    private bool _enabled;
    private bool _open = true;
    private bool _broken;
    private string? _lastWriteError;

    public DpTap(DpNet net, DpKernel kernel, string name, int queue, int fd, bool vnetHdr, DpClient? peer)
        : base(net, name, $"{name}/{queue}")
    {
        _kernel = kernel;
        Fd = fd;
        HostVnetHdrLen = vnetHdr ? VnetHdrBytes : 0;
        net.Add(this, peer);

        // R5, R6: the UFO and USO probes; R7: set_offload with every flag 0 (capability check, then the mask 0).
        _kernel.SetOffload(fd, 0x01 | 0x10);
        _kernel.SetOffload(fd, 0x01 | 0x20 | 0x40);
        _enabled = true;
        SetOffload(0);
        // R8 [seed]: the header size is set again (a persistent device keeps its last user's size).
        if (vnetHdr)
        {
            _kernel.SetVnetHdrSize(fd, VnetHdrBytes);
        }
        // R9.
        _readPoll = true;
        UpdateWatch();
    }

    public int Fd { get; }
    public int HostVnetHdrLen { get; private set; }
    public bool UsingVnetHdr { get; private set; }
    public int? VhostFd { get; set; }

    /// <summary>R1, R2 (and D-17: a broken queue is not watched at all).</summary>
    private void UpdateWatch() => _kernel.Watch(Fd, this, _readPoll && _enabled && !_broken, _writePoll && _enabled && !_broken);

    /// <summary>D-17: the interface is gone. Stop watching, take the link down towards the peer, say so once.</summary>
    private void MarkBroken(string operation)
    {
        if (_broken)
        {
            return;
        }
        _broken = true;
        LinkDown = true;
        UpdateWatch();
        _kernel.Report("Warning", $"tap {Name}: {operation} failed: {StrError("EBADFD")}; the interface is gone, queue stopped");
    }

    // ---- receive path: net layer → tap → kernel ----

    /// <summary>R11-R15, D-15.</summary>
    public override int Receive(byte[] packet)
    {
        if (_broken)
        {
            Drop("WriteError");
            return -1;
        }
        int prefix = HostVnetHdrLen != 0 && !UsingVnetHdr ? HostVnetHdrLen : 0;
        (int n, string? e) r;
        do
        {
            r = _kernel.Write(Fd, prefix, packet);
        }
        while (r.e == "EINTR");
        if (r.e is null)
        {
            return r.n;
        }
        if (r.e == "EAGAIN")
        {
            _writePoll = true;
            UpdateWatch();
            return 0;
        }
        Drop("WriteError");
        if (r.e == "EBADFD")
        {
            MarkBroken("write");
        }
        else if (r.e != _lastWriteError)
        {
            _lastWriteError = r.e;
            _kernel.Report("Warning", $"tap {Name}: dropping packets to the host: write failed: {StrError(r.e)}");
        }
        return -1;
    }

    /// <summary>R16.</summary>
    public void OnWritable()
    {
        _writePoll = false;
        UpdateWatch();
        DpNet.FlushQueuedPackets(this);
    }

    // ---- send path: kernel → tap → peer ----

    /// <summary>R20-R23 (I6: at most 50 reads that return data; a short read is dropped and counted, R23b).</summary>
    public void OnReadable()
    {
        int packets = 0;
        while (!_broken)
        {
            var (data, e) = _kernel.Read(Fd);
            if (e is not null)
            {
                if (e == "EBADFD")
                {
                    MarkBroken("read");
                }
                else if (e != "EAGAIN" && e != "EINTR")
                {
                    Drop("ReadError");
                }
                break;
            }
            if (data!.Length == 0)
            {
                break;
            }
            byte[] frame = data;
            if (HostVnetHdrLen != 0 && !UsingVnetHdr)
            {
                if (data.Length <= HostVnetHdrLen)
                {
                    Drop("ShortRead");
                    if (++packets >= PacketsPerWakeup)
                    {
                        break;
                    }
                    continue;
                }
                frame = data[HostVnetHdrLen..];
            }
            if (frame.Length < EthZLen && Peer is { DoNotPad: false })
            {
                Array.Resize(ref frame, EthZLen);
            }
            int sent = Net.SendAsync(this, frame, wantsCompletion: true);
            if (sent == 0)
            {
                _readPoll = false;   // R21
                UpdateWatch();
                break;
            }
            if (sent < 0 || ++packets >= PacketsPerWakeup)
            {
                break;
            }
        }
    }

    /// <summary>R24.</summary>
    public override void Completed(int length)
    {
        _readPoll = true;
        UpdateWatch();
    }

    // ---- control ----

    /// <summary>R25: both polls to <paramref name="enable"/>, one registration update.</summary>
    public void Poll(bool enable)
    {
        _readPoll = enable;
        _writePoll = enable;
        UpdateWatch();
    }

    /// <summary>R26: 0, or -errno (TapNet returns the errno where QEMU returns -1).</summary>
    public int Enable()
    {
        if (_enabled)
        {
            return 0;
        }
        if (_kernel.SetQueue(Fd, attach: true) is { } e)
        {
            _kernel.Report("Error", "could not enable queue");
            return -ErrnoNumber(e);
        }
        _enabled = true;
        UpdateWatch();
        return 0;
    }

    /// <summary>R27: purge first (completions may turn the read watch on briefly), then disabled.</summary>
    public int Disable()
    {
        if (!_enabled)
        {
            return 0;
        }
        if (_kernel.SetQueue(Fd, attach: false) is { } e)
        {
            _kernel.Report("Error", "could not disable queue");
            return -ErrnoNumber(e);
        }
        DpNet.PurgeAtPeer(this);
        _enabled = false;
        UpdateWatch();
        return 0;
    }

    public bool Enabled => _enabled;

    /// <summary>R30 [seed]: the peer takes over the header (D-16: a failure is reported, not an abort).</summary>
    public bool SetVnetHdrLen(int len)
    {
        var e = _kernel.SetVnetHdrSize(Fd, len);
        if (e is not null)
        {
            _kernel.Report("Raw", $"TUNSETVNETHDRSZ ioctl() failed: {StrError(e)}.");
            return false;
        }
        HostVnetHdrLen = len;
        UsingVnetHdr = true;
        return true;
    }

    /// <summary>R32: TUNSETVNETLE with the value asked for; EINVAL means "not supported", anything else is reported (D-16).</summary>
    public int SetVnetLe(bool on)
    {
        if (_kernel.SetVnetLe(Fd, on) is not { } e)
        {
            return 0;
        }
        if (e != "EINVAL")
        {
            _kernel.Report("Error", $"TUNSETVNETLE ioctl() failed: {StrError(e)}.");
        }
        return -ErrnoNumber(e);
    }

    /// <summary>R33 [seed]: capability check with 0, the mask, then without USO, then without UFO too.</summary>
    public void SetOffload(int wanted)
    {
        if (_kernel.SetOffload(Fd, 0) == "EINVAL")
        {
            return;
        }
        int mask = 0;
        if ((wanted & 0x01) != 0)
        {
            mask = 0x01 | (wanted & (0x02 | 0x04 | 0x10 | 0x20 | 0x40));
            if ((wanted & 0x08) != 0 && (wanted & 0x06) != 0)
            {
                mask |= 0x08;
            }
        }
        if (_kernel.SetOffload(Fd, mask) is null)
        {
            return;
        }
        mask &= ~0x60;
        if (_kernel.SetOffload(Fd, mask) is null)
        {
            return;
        }
        mask &= ~0x10;
        if (_kernel.SetOffload(Fd, mask) is { } e)
        {
            _kernel.Report("Raw", $"TUNSETOFFLOAD ioctl() failed: {StrError(e)}");
        }
    }

    /// <summary>R40: vhost, purge, (no down script here), watch off, close.</summary>
    public override void Cleanup()
    {
        if (!_open)
        {
            return;
        }
        if (VhostFd is { } v)
        {
            _kernel.VhostCleanup(v);
            _kernel.Close(v);
            VhostFd = null;
        }
        DpNet.PurgeAtPeer(this);
        _readPoll = false;
        _writePoll = false;
        _kernel.Watch(Fd, this, false, false);
        _kernel.Close(Fd);
        _open = false;
    }

    /// <summary>Linux errno numbers (linux-tun.md §11.5).</summary>
    private static int ErrnoNumber(string errno) => errno switch
    {
        "EINVAL" => 22,
        "EBADFD" => 77,
        _ => throw new ArgumentOutOfRangeException(nameof(errno), errno, "no number in the model"),
    };

    private static string StrError(string errno) => errno switch
    {
        "EIO" => "Input/output error",
        "EINVAL" => "Invalid argument",
        "EAGAIN" => "Resource temporarily unavailable",
        "EINTR" => "Interrupted system call",
        "EBADFD" => "File descriptor in bad state",
        _ => errno,
    };
}
