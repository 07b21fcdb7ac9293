namespace Tap.Tests.Model.DataPath;

/// <summary>
/// The kernel side of the model: the fd table (lowest free number), tap devices and their queues, the main loop's
/// interest, and the log of every call the backend makes, in <see cref="KernelCallText"/>'s words. Written from
/// linux-tun.md §1-§10 (and the simulator's documented choices where the real kernel leaves room: the first write
/// into an empty send buffer always fits; checks run link, then length, then send buffer).
/// </summary>
public sealed class DpKernel
{
    /// <summary>Every read asks for NET_BUFSIZE = 4096 + 65536 bytes (tap-backend.md §1, R20.1).</summary>
    public const int ReadBufferBytes = 69632;

    /// <summary>txqueuelen of a tap: 1000 (linux-tun.md §9 reads 5).</summary>
    public const int RingCapacity = 1000;

    /// <summary>Ethernet header: shorter writes are EINVAL (§9 writes 3).</summary>
    public const int EthHeaderBytes = 14;

    /// <summary>What TUNGETFEATURES reports on this host (§10).</summary>
    public const int Features = 0x7173;

    private readonly SortedDictionary<int, object> _fds = new() { [0] = "stdin", [1] = "stdout", [2] = "stderr" };
    private readonly SortedDictionary<int, (DpTap Handler, bool Readable, bool Writable)> _watches = new();
    private readonly Dictionary<(int Fd, bool Write), Queue<string>> _faults = new();

    public List<string> Calls { get; } = new();
    public SortedDictionary<string, DpTunDevice> Devices { get; } = new(StringComparer.Ordinal);

    public DpTunQueue QueueOf(int fd) => (DpTunQueue)_fds[fd];

    /// <summary>§10: a per-device call on a queue whose device was deleted fails with EBADFD.</summary>
    private string? Gone(int fd) => QueueOf(fd).Device.Deleted ? "EBADFD" : null;

    private int Allocate(object file)
    {
        int n = 0;
        while (_fds.ContainsKey(n))
        {
            n++;
        }
        _fds[n] = file;
        return n;
    }

    // ---- creation-time calls (linux-tun.md §1, §2, §7; vhost-net.md) ----

    public int OpenTun()
    {
        int fd = Allocate("tun");
        Calls.Add(KernelCallText.OpenTun(fd.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Calls.Add(KernelCallText.GetFeatures(fd, KernelCallText.Hex(Features)));
        return fd;
    }

    /// <summary>TUNSETIFF: a new device, or a further queue of a multiqueue one.</summary>
    public void SetIff(int fd, string name, int flags)
    {
        bool vnet = (flags & 0x4000) != 0;
        bool mq = (flags & 0x0100) != 0;
        if (!Devices.TryGetValue(name, out var device))
        {
            device = new DpTunDevice(name, vnet, mq);
            Devices[name] = device;
        }
        var q = new DpTunQueue(device, fd);
        device.Queues.Add(q);
        _fds[fd] = q;
        Calls.Add(KernelCallText.SetIff(fd, name, flags, name));
    }

    public void NonBlocking(int fd) => Calls.Add(KernelCallText.NonBlocking(fd, null));

    public int OpenVhost()
    {
        int fd = Allocate("vhost");
        Calls.Add(KernelCallText.OpenVhost(fd.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return fd;
    }

    public void VhostInit(int vhostFd, int tapFd, bool hdr, uint pollUs) => Calls.Add(KernelCallText.VhostInit(vhostFd, tapFd, hdr, pollUs, "ok"));

    public void VhostCleanup(int vhostFd) => Calls.Add(KernelCallText.VhostCleanup(vhostFd));

    /// <summary>TUNSETSNDBUF: applied to every queue of the device (§7).</summary>
    public void SetSndBuf(int fd, int bytes)
    {
        foreach (var q in QueueOf(fd).Device.Queues)
        {
            q.SndBuf = bytes;
        }
        Calls.Add(KernelCallText.SetSndBuf(fd, bytes, null));
    }

    /// <summary>TUNSETVNETHDRSZ: any value of at least 10 is taken (§5).</summary>
    public string? SetVnetHdrSize(int fd, int bytes)
    {
        string? e = Gone(fd) ?? (bytes < 10 ? "EINVAL" : null);
        if (e is null)
        {
            QueueOf(fd).Device.HdrSize = bytes;
        }
        Calls.Add(KernelCallText.SetVnetHdrSize(fd, bytes, e));
        return e;
    }

    /// <summary>TUNSETOFFLOAD, with tun.c's acceptance rules (§4): every bit needs CSUM, ECN needs TSO4 or TSO6, USO needs both halves.</summary>
    public string? SetOffload(int fd, int mask)
    {
        bool ok = Gone(fd) is null && (mask & ~0x7f) == 0
            && (mask == 0 || (mask & 0x01) != 0)
            && ((mask & 0x08) == 0 || (mask & 0x06) != 0)
            && ((mask & 0x60) == 0 || (mask & 0x60) == 0x60);
        if (ok)
        {
            QueueOf(fd).Device.Offload = mask;
        }
        string? e = Gone(fd) ?? (ok ? null : "EINVAL");
        Calls.Add(KernelCallText.SetOffload(fd, mask, e));
        return e;
    }

    /// <summary>D-21's five resets on a fresh, attached device: every one succeeds (linux-tun §6, §8.2).</summary>
    public void ClearStaleState(int fd)
    {
        Calls.Add(KernelCallText.SetSteering(fd, -1, null));
        Calls.Add(KernelCallText.SetFilterEbpf(fd, -1, null));
        Calls.Add(KernelCallText.ClearTxFilter(fd, null));
        Calls.Add(KernelCallText.DetachFilter(fd, null));
        SetVnetLe(fd, false);
    }

    /// <summary>TUNSETVNETLE always works on an attached fd (§6).</summary>
    public string? SetVnetLe(int fd, bool on)
    {
        string? e = Gone(fd);
        if (e is null)
        {
            QueueOf(fd).Device.VnetLe = on;
        }
        Calls.Add(KernelCallText.SetVnetLe(fd, on, e));
        return e;
    }

    /// <summary>TUNSETQUEUE (§8.1): EINVAL on a single-queue device or for a no-op; a detach purges the ring.</summary>
    public string? SetQueue(int fd, bool attach)
    {
        var q = QueueOf(fd);
        string? e = "EINVAL";
        if (q.Device.MultiQueue && q.Device.Deleted)
        {
            e = "EBADFD";
        }
        else if (q.Device.MultiQueue && attach && q.Detached)
        {
            q.Detached = false;
            e = null;
        }
        else if (q.Device.MultiQueue && !attach && !q.Detached)
        {
            q.Detached = true;
            q.Purge();
            e = null;
        }
        Calls.Add(KernelCallText.SetQueue(fd, attach ? 0x0200 : 0x0400, e));
        return e;
    }

    public void Close(int fd)
    {
        var file = _fds[fd];
        _fds.Remove(fd);
        _watches.Remove(fd);
        if (file is DpTunQueue q)
        {
            q.Purge();
            q.Device.Queues.Remove(q);
            if (q.Device.Queues.Count == 0 && Devices.GetValueOrDefault(q.Device.Name) == q.Device)
            {
                Devices.Remove(q.Device.Name);
            }
        }
        Calls.Add(KernelCallText.Close(fd, null));
    }

    public void Report(string kind, string message) => Calls.Add(KernelCallText.Report(kind, message));

    // ---- data path (§9) ----

    /// <summary>The next read (or write) on <paramref name="fd"/> fails with <paramref name="errno"/>.</summary>
    public void InjectFault(int fd, bool onWrite, string errno)
    {
        if (!_faults.TryGetValue((fd, onWrite), out var q))
        {
            q = new Queue<string>();
            _faults[(fd, onWrite)] = q;
        }
        q.Enqueue(errno);
    }

    public void ClearFaults() => _faults.Clear();

    private string? TakeFault(int fd, bool onWrite) =>
        _faults.TryGetValue((fd, onWrite), out var q) && q.Count > 0 ? q.Dequeue() : null;

    /// <summary>One read of at most one frame: the device's header (10 bytes of metadata, zeros beyond), then the frame, cut to the buffer.</summary>
    public (byte[]? Data, string? Errno) Read(int fd)
    {
        string? e = TakeFault(fd, onWrite: false) ?? Gone(fd);
        var q = QueueOf(fd);
        if (e is null && (q.Detached || q.Ring.Count == 0))
        {
            e = "EAGAIN";
        }
        if (e is not null)
        {
            Calls.Add(KernelCallText.Read(fd, ReadBufferBytes, e));
            return (null, e);
        }
        var (header, frame) = q.Ring.Dequeue();
        int h = q.Device.WireHeader;
        int n = Math.Min(h + frame.Length, ReadBufferBytes);
        var data = new byte[n];
        header.AsSpan(0, Math.Min(h, 10)).CopyTo(data);
        frame.AsSpan(0, n - h).CopyTo(data.AsSpan(h));
        Calls.Add(KernelCallText.Read(fd, ReadBufferBytes, n.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return (data, null);
    }

    /// <summary>One writev of <paramref name="head"/> zero bytes then <paramref name="body"/>: the byte count, or an errno.</summary>
    public (int Written, string? Errno) Write(int fd, int head, byte[] body)
    {
        string? e = TakeFault(fd, onWrite: true) ?? Gone(fd);
        var q = QueueOf(fd);
        int total = head + body.Length;
        int h = q.Device.WireHeader;
        if (e is null && !q.Device.Up)
        {
            e = "EIO";
        }
        if (e is null && (total < h || total - h < EthHeaderBytes))
        {
            e = "EINVAL";
        }
        if (e is null && q.InFlight > 0 && q.InFlight + total > q.SndBuf)
        {
            e = "EAGAIN";
        }
        if (e is not null)
        {
            Calls.Add(KernelCallText.Write(fd, head, body.Length, e));
            return (0, e);
        }
        q.InFlight += total;
        var copy = new byte[total];
        body.CopyTo(copy, head);
        q.Written.Add(copy);
        Calls.Add(KernelCallText.Write(fd, head, body.Length, total.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return (total, null);
    }

    // ---- main loop (tap-backend.md R1-R3) ----

    public void Watch(int fd, DpTap handler, bool readable, bool writable)
    {
        if (readable || writable)
        {
            _watches[fd] = (handler, readable, writable);
        }
        else
        {
            _watches.Remove(fd);
        }
        Calls.Add(KernelCallText.Watch(fd, readable, writable));
    }

    /// <summary>§9 poll table: packets queued on an attached queue; a deleted device reports an error, which wakes readers.</summary>
    private bool IsReadable(int fd) => QueueOf(fd) is var q && (q.Device.Deleted || (!q.Detached && q.Ring.Count > 0));

    /// <summary>§9 poll table: up and below the send buffer (§7).</summary>
    private bool IsWritable(int fd) => QueueOf(fd) is var q && !q.Device.Deleted && q.Device.Up && q.InFlight < q.SndBuf;

    /// <summary>The loop services <paramref name="fd"/>: readable first, then writable if still watched and ready.</summary>
    public int Dispatch(int fd)
    {
        int calls = 0;
        if (_watches.TryGetValue(fd, out var w) && w.Readable && IsReadable(fd))
        {
            calls++;
            w.Handler.OnReadable();
        }
        if (_watches.TryGetValue(fd, out w) && w.Writable && IsWritable(fd))
        {
            calls++;
            w.Handler.OnWritable();
        }
        return calls;
    }

    // ---- the host side ----

    /// <summary>The host sends a frame out of queue <paramref name="queue"/>: queued, or dropped (detached, full).</summary>
    public void HostSend(DpTunDevice device, int queue, byte[] header, byte[] frame)
    {
        var q = device.Queues[queue];
        if (q.Detached || q.Ring.Count >= RingCapacity)
        {
            device.HostDrops++;
            return;
        }
        q.Ring.Enqueue((header, frame));
    }

    /// <summary><c>ip link del</c>: the device goes; what its queues held is lost; its fds stay open and fail.</summary>
    public void DeleteDevice(DpTunDevice device)
    {
        device.Deleted = true;
        foreach (var q in device.Queues)
        {
            q.Purge();
        }
        Devices.Remove(device.Name);
    }

    /// <summary>The host takes what was written to the queue, freeing the send buffer.</summary>
    public List<byte[]> HostDrain(DpTunQueue q)
    {
        var taken = new List<byte[]>(q.Written);
        q.Written.Clear();
        q.InFlight = 0;
        return taken;
    }
}
