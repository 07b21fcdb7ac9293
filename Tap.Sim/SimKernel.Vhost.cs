using System.Buffers.Binary;
using Tap.Core.Abi;
using Tap.Core.Os;

namespace Tap.Sim;

public sealed partial class SimKernel
{
    private int _vhostInits;

    /// <summary>
    /// vhost devices with a tap attached: at zero <see cref="RunOnce"/> is exactly what it was without vhost.
    /// </summary>
    private int _vhostsAttached;

    /// <summary>
    /// Reads and writes the process made on a tap fd while a vhost worker owned its queue (vhost-net §1). Linux
    /// lets them through and so does the simulator; they are listed because they race the worker.
    /// </summary>
    public List<string> VhostOwnershipViolations { get; } = new();

    /// <summary>The vhost instance behind <paramref name="fd"/>, or null.</summary>
    public SimVhostDevice? VhostOf(Fd fd) => (FileOf(fd) as SimFile.Vhost)?.Device;

    private void NoteOwnership(Fd fd, SimTunQueue q, string call)
    {
        if (q.VhostOwner is not null)
        {
            VhostOwnershipViolations.Add($"{call}({fd}) while a vhost worker owns the queue");
        }
    }

    /// <inheritdoc/>
    public VhostInitResult VhostNetInit(Fd vhostFd, Fd tapFd, bool tapHasVnetHdr, uint busyloopTimeoutUs)
    {
        VhostInitResult result;
        if (!_fds.TryGetValue(vhostFd.Number, out var file))
        {
            result = VhostInitResult.Failure("vhost_set_owner failed: Bad file descriptor");
        }
        else if (file is not SimFile.Vhost { Device: var vhost })
        {
            result = VhostInitResult.Failure("vhost_set_owner failed: Inappropriate ioctl for device");
        }
        else if (vhost.Initialised)
        {
            result = VhostInitResult.Failure("vhost_set_owner failed: Device or resource busy");
        }
        else if (VhostInitFailsFrom is { } k && _vhostInits >= k)
        {
            result = VhostInitResult.Failure("vhost_get_features failed: Input/output error");
        }
        else
        {
            vhost.Initialised = true;
            vhost.BusyloopTimeoutUs = busyloopTimeoutUs;
            vhost.TapOwnsHeader = tapHasVnetHdr;
            result = VhostInitResult.Success;
        }
        _vhostInits++;
        Record.Add(KernelCalls.Line(KernelCalls.VhostNetInit(vhostFd, tapFd, tapHasVnetHdr, busyloopTimeoutUs),
            KernelCalls.Result(result)));
        return result;
    }

    /// <inheritdoc/>
    public void VhostNetCleanup(Fd vhostFd)
    {
        if (VhostOf(vhostFd) is { } vhost)
        {
            vhost.Initialised = false;
        }
        Record.Add(KernelCalls.VhostNetCleanup(vhostFd));
    }

    /// <inheritdoc/>
    public SysResult VhostNetStart(Fd vhostFd, Fd tapFd)
    {
        var e = OwnedVhost(vhostFd, out var vhost);
        if (e == Errno.None)
        {
            // vhost-net §4.2: every failed lookup of the backend fd is ENOTSOCK; a deleted tap has POLLERR (EINVAL).
            if (FileOf(tapFd) is not SimFile.Tun { Queue: { } q })
            {
                e = Errno.ENOTSOCK;
            }
            else if (q.Device.Deleted)
            {
                e = Errno.EINVAL;
            }
            else
            {
                Detach(vhost);
                vhost.Backend = q;
                q.VhostOwner = vhost;
                _vhostsAttached++;
            }
        }
        return Log(KernelCalls.VhostNetStart(vhostFd, tapFd), e == Errno.None ? SysResult.Success : e);
    }

    /// <inheritdoc/>
    public SysResult VhostNetStop(Fd vhostFd)
    {
        var e = OwnedVhost(vhostFd, out var vhost);
        if (e == Errno.None)
        {
            Detach(vhost);
        }
        return Log(KernelCalls.VhostNetStop(vhostFd), e == Errno.None ? SysResult.Success : e);
    }

    /// <summary>vhost-net §7.1: every call but the owner and feature ones needs VHOST_SET_OWNER first.</summary>
    private Errno OwnedVhost(Fd fd, out SimVhostDevice vhost)
    {
        vhost = null!;
        if (!_fds.TryGetValue(fd.Number, out var file))
        {
            return Errno.EBADF;
        }
        if (file is not SimFile.Vhost v)
        {
            return Errno.ENOTTY;
        }
        vhost = v.Device;
        return vhost.Initialised ? Errno.None : Errno.EPERM;
    }

    private void Detach(SimVhostDevice vhost)
    {
        if (vhost.Backend is { } q)
        {
            q.VhostOwner = null;
            vhost.Backend = null;
            _vhostsAttached--;
            if (q.FdClosed)
            {
                ReleaseQueue(q);   // the worker held the tap file's last reference
            }
        }
    }

    /// <summary>
    /// One run of every attached vhost worker, in fd order (vhost-net §5.5, §7.5): transmit, then receive. Returns
    /// the packets moved or dropped, so an idle loop stops only when the workers have nothing left either.
    /// </summary>
    private int RunVhostWorkers()
    {
        if (_vhostsAttached == 0)
        {
            return 0;
        }
        int moved = 0;
        foreach (var (number, file) in _fds)
        {
            if (file is SimFile.Vhost { Device: { Backend: { } q } vhost })
            {
                moved += VhostTransmit(number, vhost, q) + VhostReceive(number, vhost, q);
            }
        }
        return moved;
    }

    private int VhostTransmit(int fd, SimVhostDevice vhost, SimTunQueue q)
    {
        int packets = 0;
        long bytes = 0;
        while (packets < KernelLimits.VhostPacketsPerRun && bytes < KernelLimits.VhostBytesPerRun
            && vhost.TryPeekTx(out var chain))
        {
            ReadOnlySpan<byte> toTap = chain;
            string outcome;
            if (!vhost.TapOwnsHeader && chain.Length <= vhost.GuestHeaderBytes)
            {
                // §5.5 tx 5: nothing after the header; the chain leaves the ring and never comes back.
                vhost.CompleteTx();
                vhost.TxRingErrors++;
                outcome = "ring error";
            }
            else
            {
                if (!vhost.TapOwnsHeader)
                {
                    toTap = toTap[vhost.GuestHeaderBytes..];
                }
                var e = q.Device.Deleted ? Errno.EBADFD : WriteRefusal(q, toTap.Length);
                if (e is Errno.EAGAIN)
                {
                    // §5.5 tx 4: the chain stays; the worker waits for the tap to be writable.
                    break;
                }
                vhost.CompleteTx();
                if (e == Errno.None)
                {
                    Accept(q, default, toTap);
                    vhost.TxSent++;
                }
                else
                {
                    vhost.TxDropped++;
                }
                outcome = e == Errno.None
                    ? toTap.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : e.ToString();
            }
            packets++;
            bytes += toTap.Length;
            if (RecordDataPath)
            {
                Record.Add($"vhost {fd} tx {chain.Length} = {outcome}");
            }
        }
        return packets;
    }

    private int VhostReceive(int fd, SimVhostDevice vhost, SimTunQueue q)
    {
        int packets = 0;
        while (packets < KernelLimits.VhostPacketsPerRun && !q.Detached && q.Pending > 0
            && vhost.TryPeekRxBuffer(out int room))
        {
            var (packet, length, stored) = q.Dequeue();
            try
            {
                packets++;
                int header = !vhost.TapOwnsHeader ? vhost.GuestHeaderBytes
                    : q.Device.HasVnetHdr ? q.Device.VnetHdrSize : 0;
                var frame = packet.AsSpan(stored, length - stored);
                if (header + frame.Length > room)
                {
                    // §5.5 rx 4: the packet is dropped, the buffer stays with the guest unused.
                    vhost.RxTooSmall++;
                    if (RecordDataPath)
                    {
                        Record.Add($"vhost {fd} rx {frame.Length} = too small");
                    }
                    continue;
                }
                var content = new byte[header + frame.Length];
                if (vhost.TapOwnsHeader)
                {
                    // The tap's header as a read would give it (linux-tun.md §5); vhost hands it through.
                    int meaningful = Math.Min(Math.Min(stored, header), KernelLimits.VnetHdrBytes);
                    packet.AsSpan(0, meaningful).CopyTo(content);
                }
                if (header >= KernelLimits.NumBuffersOffset + sizeof(ushort))
                {
                    // vhost-net §5.4: one buffer per packet without mergeable buffers.
                    BinaryPrimitives.WriteUInt16LittleEndian(content.AsSpan(KernelLimits.NumBuffersOffset), 1);
                }
                frame.CopyTo(content.AsSpan(header));
                vhost.UseRxBuffer(content);
                if (RecordDataPath)
                {
                    Record.Add($"vhost {fd} rx {frame.Length} = {content.Length}");
                }
            }
            finally
            {
                q.Recycle(packet);
            }
        }
        return packets;
    }
}
