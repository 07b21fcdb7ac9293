using Tap.Core.Abi;
using Tap.Core.Os;

namespace Tap.Sim;

public sealed partial class SimKernel
{
    /// <inheritdoc/>
    public SysResult<int> Read(Fd fd, Span<byte> buffer)
    {
        if (_fds.GetValueOrDefault(fd.Number) is SimFile.Timer timer)
        {
            return ReadTimer(fd, timer, buffer);
        }
        if (_fds.GetValueOrDefault(fd.Number) is SimFile.Socket socket)
        {
            return SocketRead(socket, fd, buffer);
        }
        var e = BoundQueue(fd, out var q);
        if (e == Errno.None)
        {
            NoteOwnership(fd, q, "read");
        }
        if (e == Errno.None && Random.Chance(Faults[FaultSite.ReadEintr]))
        {
            e = Errno.EINTR;
        }
        if (e == Errno.None && (q.Detached || q.Pending == 0))
        {
            e = Errno.EAGAIN;
        }
        if (e != Errno.None)
        {
            return LogRead(fd, buffer, e);
        }

        // The header is made at read time from the packet's metadata, at the device's current size (linux-tun.md §5).
        var (packet, length, stored) = q.Dequeue();
        try
        {
            int header = q.Device.HasVnetHdr ? q.Device.VnetHdrSize : 0;
            if (buffer.Length < header)
            {
                // linux-tun.md §9: the packet is consumed and lost.
                return LogRead(fd, buffer, Errno.EINVAL);
            }
            var frame = packet.AsSpan(stored, length - stored);
            int meaningful = Math.Min(Math.Min(stored, header), KernelLimits.VnetHdrBytes);
            packet.AsSpan(0, meaningful).CopyTo(buffer);
            buffer[meaningful..header].Clear();
            int n = Math.Min(header + frame.Length, buffer.Length);
            frame[..(n - header)].CopyTo(buffer[header..]);
            return LogRead(fd, buffer, n);
        }
        finally
        {
            q.Recycle(packet);
        }
    }

    /// <inheritdoc/>
    public SysResult<int> Write(Fd fd, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body)
    {
        if (_fds.GetValueOrDefault(fd.Number) is SimFile.Socket or SimFile.Timer)
        {
            return SocketWrite(_fds[fd.Number], fd, head, body);
        }
        var e = BoundQueue(fd, out var q);
        int total = head.Length + body.Length;
        if (e == Errno.None)
        {
            NoteOwnership(fd, q, "writev");
            e = WriteCheck(q, total);
        }
        if (e != Errno.None)
        {
            return LogWrite(fd, head, body, e);
        }

        Accept(q, head, body);
        return LogWrite(fd, head, body, total);
    }

    // The data path's calls are spelled only when they are recorded (payloads by length), so a run without
    // RecordDataPath builds no text per packet.
    private SysResult<int> LogRead(Fd fd, Span<byte> buffer, SysResult<int> r)
    {
        if (RecordDataPath)
        {
            Record.Add(KernelCalls.Line(KernelCalls.Read(fd, buffer.Length),
                KernelCalls.ReadResult(r, buffer, KernelCalls.PayloadLength)));
        }
        return r;
    }

    private SysResult<int> LogWrite(Fd fd, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, SysResult<int> r)
    {
        if (RecordDataPath)
        {
            Record.Add(KernelCalls.Line(KernelCalls.Write(fd, head, body, KernelCalls.PayloadLength),
                KernelCalls.Result(r)));
        }
        return r;
    }

    /// <summary>
    /// The host side now holds one frame written to <paramref name="q"/> (by the process or a worker).
    /// </summary>
    private void Accept(SimTunQueue q, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body)
    {
        int total = head.Length + body.Length;
        q.InFlightBytes += total;
        q.WritesAccepted++;
        if (KeepTransmitted)
        {
            var copy = new byte[total];
            head.CopyTo(copy);
            body.CopyTo(copy.AsSpan(head.Length));
            q.Transmitted.Add(copy);
        }
    }

    private Errno WriteCheck(SimTunQueue q, int total)
    {
        if (Random.Chance(Faults[FaultSite.WriteEintr]))
        {
            return Errno.EINTR;
        }
        return WriteRefusal(q, total);
    }

    /// <summary>
    /// Why the tap refuses <paramref name="total"/> bytes, EINTR aside (a vhost worker is never interrupted).
    /// </summary>
    private Errno WriteRefusal(SimTunQueue q, int total)
    {
        if (!q.Device.Up || Random.Chance(Faults[FaultSite.WriteEio]))
        {
            return Errno.EIO;
        }
        int header = q.Device.HasVnetHdr ? q.Device.VnetHdrSize : 0;
        if (total < header || total - header < KernelLimits.EthHeaderBytes)
        {
            return Errno.EINVAL;
        }
        if ((q.InFlightBytes > 0 && q.InFlightBytes + total > q.SndBuf) || Random.Chance(Faults[FaultSite.WriteEagain]))
        {
            return Errno.EAGAIN;
        }
        return Errno.None;
    }

    // ---- The host side of the devices ----

    /// <summary>Brings <paramref name="name"/> up or down (<c>ip link set</c>).</summary>
    public void SetLinkUp(string name, bool up)
    {
        DeviceOrThrow(name).Up = up;
        Record.Add($"host link {name} {(up ? "up" : "down")}");
    }

    /// <summary><c>ip link del</c>: the device disappears under its users; their fds report errors for good.</summary>
    public void DeleteDevice(string name)
    {
        var device = DeviceOrThrow(name);
        device.Deleted = true;
        foreach (var q in device.Queues)
        {
            q.Purge();
        }
        _devices.Remove(name);
        Record.Add($"host link {name} deleted");
    }

    /// <summary>
    /// The host sends <paramref name="frame"/> out of the tap: it is queued for a reader on one attached queue
    /// (<paramref name="queueIndex"/>, or the device's choice), behind the device's current header, or dropped
    /// (counted) when that queue is full or none is attached. True when queued.
    /// </summary>
    public bool HostSend(
        string name, ReadOnlySpan<byte> frame, int queueIndex = -1, ReadOnlySpan<byte> vnetHeader = default)
    {
        var device = DeviceOrThrow(name);
        SimTunQueue? target = null;
        if (queueIndex >= 0)
        {
            target = queueIndex < device.Queues.Count && !device.Queues[queueIndex].Detached
                ? device.Queues[queueIndex]
                : null;
        }
        else
        {
            for (int i = 0; i < device.Queues.Count && target is null; i++)
            {
                var q = device.Queues[(device.NextQueueForHost + i) % device.Queues.Count];
                if (!q.Detached)
                {
                    target = q;
                }
            }
            device.NextQueueForHost++;
        }

        // Only the first 10 header bytes carry meaning; the rest of a longer header is zeros at read time.
        Span<byte> header = stackalloc byte[KernelLimits.VnetHdrBytes];
        header.Clear();
        vnetHeader[..Math.Min(vnetHeader.Length, header.Length)].CopyTo(header);
        return Enqueue(device, target, header, frame);
    }

    private bool Enqueue(SimTunDevice device, SimTunQueue? target, ReadOnlySpan<byte> header, ReadOnlySpan<byte> frame)
    {
        bool queued = target is not null && target.Enqueue(header, frame, device.TxQueueLen);
        if (!queued)
        {
            device.HostDrops++;
        }
        if (RecordDataPath)
        {
            Record.Add($"host send {device.Name} {frame.Length} = {(queued ? "queued" : "dropped")}");
        }
        return queued;
    }

    /// <summary>
    /// The host takes every frame written to <paramref name="name"/>'s queues (freeing their send buffer).
    /// </summary>
    public List<byte[]> HostReceive(string name)
    {
        var device = DeviceOrThrow(name);
        var all = new List<byte[]>();
        foreach (var q in device.Queues)
        {
            all.AddRange(q.Transmitted);
            q.Transmitted.Clear();
            q.InFlightBytes = 0;
        }
        if (RecordDataPath)
        {
            Record.Add($"host receive {name} = {all.Count}");
        }
        return all;
    }

    /// <summary>
    /// The host takes the frames written to queue <paramref name="queueIndex"/> of <paramref name="name"/>, in order.
    /// </summary>
    public List<byte[]> HostReceive(string name, int queueIndex)
    {
        var q = DeviceOrThrow(name).Queues[queueIndex];
        var frames = new List<byte[]>(q.Transmitted);
        q.Transmitted.Clear();
        q.InFlightBytes = 0;
        if (RecordDataPath)
        {
            Record.Add($"host receive {name}/{queueIndex} = {frames.Count}");
        }
        return frames;
    }

    /// <summary>The host frees the send buffer of every queue without looking (benchmarks).</summary>
    public void HostDrainAll()
    {
        foreach (var device in _devices.Values)
        {
            foreach (var q in device.Queues)
            {
                q.Transmitted.Clear();
                q.InFlightBytes = 0;
            }
        }
    }

    private SimTunDevice DeviceOrThrow(string name) =>
        _devices.TryGetValue(name, out var d)
            ? d
            : throw new ArgumentException($"no simulated device '{name}'", nameof(name));
}
