using System.Globalization;
using Tap.Core.Abi;
using Tap.Core.Os;

namespace Tap.Sim;

public sealed partial class SimKernel
{
    /// <summary>The tun fd behind <paramref name="fd"/>: EBADF when closed, ENOTTY when not a tun fd.</summary>
    private Errno TunFile(Fd fd, out SimFile.Tun tun)
    {
        tun = null!;
        if (!_fds.TryGetValue(fd.Number, out var file))
        {
            return Errno.EBADF;
        }
        if (file is not SimFile.Tun t)
        {
            return Errno.ENOTTY;
        }
        tun = t;
        return Errno.None;
    }

    /// <summary>
    /// The bound queue behind <paramref name="fd"/>: as <see cref="TunFile"/>, then EBADFD when unbound or deleted.
    /// </summary>
    private Errno BoundQueue(Fd fd, out SimTunQueue queue)
    {
        queue = null!;
        var e = TunFile(fd, out var tun);
        if (e != Errno.None)
        {
            return e;
        }
        if (tun.Queue is null || tun.Queue.Device.Deleted)
        {
            return Errno.EBADFD;
        }
        queue = tun.Queue;
        return Errno.None;
    }

    private bool InjectEintr() => Random.Chance(Faults[FaultSite.IoctlEintr]);

    /// <inheritdoc/>
    public SysResult<TunFlags> TunGetFeatures(Fd fd)
    {
        var e = TunFile(fd, out _);
        return Log(KernelCalls.TunGetFeatures(fd), e != Errno.None ? (SysResult<TunFlags>)e : Features);
    }

    /// <inheritdoc/>
    public SysResult<string> TunSetIff(Fd fd, string name, TunFlags flags)
    {
        string call = KernelCalls.TunSetIff(fd, name, flags);
        var e = TunFile(fd, out var tun);
        if (e != Errno.None)
        {
            return Log(call, (SysResult<string>)e);
        }
        if (tun.Queue is not null)
        {
            return Log(call, (SysResult<string>)Errno.EEXIST);
        }

        // The kernel keeps 15 bytes of the name (it forces byte 15 to NUL).
        if (System.Text.Encoding.UTF8.GetByteCount(name) > KernelLimits.IfNameMaxBytes)
        {
            name = TruncateUtf8(name, KernelLimits.IfNameMaxBytes);
        }
        bool multiQueue = (flags & TunFlags.MultiQueue) != 0;

        if (_otherInterfaces.Contains(name))
        {
            return Log(call, (SysResult<string>)Errno.EINVAL);
        }
        if (_devices.TryGetValue(name, out var existing))
        {
            if (existing.IsMultiQueue != multiQueue)
            {
                return Log(call, (SysResult<string>)Errno.EINVAL);
            }
            if (!multiQueue && existing.QueueCount > 0)
            {
                return Log(call, (SysResult<string>)Errno.EBUSY);
            }
            if (existing.QueueCount >= KernelLimits.MaxTapQueues)
            {
                return Log(call, (SysResult<string>)Errno.E2BIG);
            }
            var q = new SimTunQueue(existing, _buffers) { RequestedFlags = flags };
            existing.Queues.Add(q);
            tun.Queue = q;
            // tun_set_iff re-initialises the device's feature flags unless it is a multiqueue device that already
            // had a queue (linux-tun.md §3.1: a later queue without VNET_HDR still reports it).
            if (!(existing.IsMultiQueue && existing.QueueCount > 1))
            {
                existing.Flags = (existing.Flags & ~DeviceFeatureFlags) | (flags & DeviceFeatureFlags);
            }
            return Log(call, (SysResult<string>)name);
        }

        if (!HasNetAdmin)
        {
            return Log(call, (SysResult<string>)Errno.EPERM);
        }
        var nameError = ResolveName(name, out string actual);
        if (nameError != Errno.None)
        {
            return Log(call, (SysResult<string>)nameError);
        }
        var device = new SimTunDevice(actual, flags & (TunFlags.Tap | DeviceFeatureFlags));
        _devices[actual] = device;
        var queue = new SimTunQueue(device, _buffers) { RequestedFlags = flags };
        device.Queues.Add(queue);
        tun.Queue = queue;
        return Log(call, (SysResult<string>)actual);
    }

    private bool TryResolveTemplate(string name, out string actual) => ResolveName(name, out actual) == Errno.None;

    /// <summary>
    /// dev_valid_name plus one %d template filled with the lowest free index: EINVAL for a bad name, ENFILE when
    /// every index of net/core/dev.c's one-page bitmap (8 * 4096) is taken.
    /// </summary>
    private Errno ResolveName(string name, out string actual)
    {
        const int TemplateIndexesMax = 8 * 4096;
        actual = name;
        if (name.Length == 0 || name is "." or ".." || name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c)))
        {
            return Errno.EINVAL;
        }
        int percent = name.IndexOf('%');
        if (percent < 0)
        {
            return Errno.None;
        }
        if (percent + 1 >= name.Length || name[percent + 1] != 'd' || name.IndexOf('%', percent + 2) >= 0)
        {
            return Errno.EINVAL;
        }
        for (int i = 0; i < TemplateIndexesMax; i++)
        {
            string candidate = name.Replace("%d", i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            if (!_devices.ContainsKey(candidate) && !_otherInterfaces.Contains(candidate))
            {
                actual = candidate;
                return System.Text.Encoding.UTF8.GetByteCount(candidate) <= KernelLimits.IfNameMaxBytes
                    ? Errno.None
                    : Errno.EINVAL;
            }
        }
        return Errno.ENFILE;
    }

    private static string TruncateUtf8(string s, int bytes)
    {
        var sb = new System.Text.StringBuilder();
        int used = 0;
        foreach (var rune in s.EnumerateRunes())
        {
            if (used + rune.Utf8SequenceLength > bytes)
            {
                break;
            }
            used += rune.Utf8SequenceLength;
            sb.Append(rune.ToString());
        }
        return sb.ToString();
    }

    /// <summary>TUN_FEATURES of tun.c: the flags an attach may change.</summary>
    private const TunFlags DeviceFeatureFlags =
        TunFlags.NoPi | TunFlags.OneQueue | TunFlags.VnetHdr | TunFlags.MultiQueue;

    /// <inheritdoc/>
    public SysResult<TunInterfaceInfo> TunGetIff(Fd fd)
    {
        var e = BoundQueue(fd, out var q);
        if (e != Errno.None)
        {
            return Log(KernelCalls.TunGetIff(fd), (SysResult<TunInterfaceInfo>)e);
        }
        // TUNGETIFF reports NOFILTER (the same bit as NO_PI) when no socket filter is attached.
        var flags = q.Device.Flags | TunFlags.NoFilter
            | (q.Detached ? TunFlags.DetachQueue : 0) | (q.Device.Persistent ? TunFlags.Persist : 0);
        return Log(KernelCalls.TunGetIff(fd), (SysResult<TunInterfaceInfo>)new TunInterfaceInfo(q.Device.Name, flags));
    }

    /// <inheritdoc/>
    public SysResult TunSetVnetHdrSize(Fd fd, int bytes)
    {
        string call = KernelCalls.TunSetVnetHdrSize(fd, bytes);
        if (InjectEintr())
        {
            return Log(call, Errno.EINTR);
        }
        var e = BoundQueue(fd, out var q);
        if (e == Errno.None && bytes < KernelLimits.VnetHdrBytes)
        {
            e = Errno.EINVAL;
        }
        if (e == Errno.None && VnetHdrSzError is { } forced)
        {
            e = forced;
        }
        if (e == Errno.None)
        {
            q.Device.VnetHdrSize = bytes;
        }
        return Log(call, e);
    }

    /// <inheritdoc/>
    public SysResult TunSetOffload(Fd fd, TunOffload offload)
    {
        string call = KernelCalls.TunSetOffload(fd, offload);
        if (InjectEintr())
        {
            return Log(call, Errno.EINTR);
        }
        var e = BoundQueue(fd, out var q);
        if (e == Errno.None && !OffloadAccepted(offload))
        {
            e = Errno.EINVAL;
        }
        if (e == Errno.None)
        {
            q.Device.Offload = offload;
        }
        return Log(call, e);
    }

    /// <summary>
    /// tun.c set_offload: every bit must be consumed, and each needs what it builds on (linux-tun.md §4).
    /// </summary>
    private bool OffloadAccepted(TunOffload o)
    {
        const TunOffload known = TunOffload.Csum | TunOffload.Tso4 | TunOffload.Tso6 | TunOffload.TsoEcn
            | TunOffload.Ufo | TunOffload.Uso4 | TunOffload.Uso6;
        if (!OffloadSupported || (o & ~known) != 0 || (!UfoKnown && (o & TunOffload.Ufo) != 0))
        {
            return false;
        }
        if (o != TunOffload.None && (o & TunOffload.Csum) == 0)
        {
            return false;
        }
        if ((o & TunOffload.TsoEcn) != 0 && (o & (TunOffload.Tso4 | TunOffload.Tso6)) == 0)
        {
            return false;
        }
        var uso = o & (TunOffload.Uso4 | TunOffload.Uso6);
        if (uso != 0 && (!UsoKnown || uso != (TunOffload.Uso4 | TunOffload.Uso6)))
        {
            return false;
        }
        return true;
    }

    /// <inheritdoc/>
    public SysResult TunSetSndBuf(Fd fd, int bytes)
    {
        string call = KernelCalls.TunSetSndBuf(fd, bytes);
        var e = BoundQueue(fd, out var q);
        if (e == Errno.None && bytes <= 0)
        {
            e = Errno.EINVAL;
        }
        if (e == Errno.None && SndBufError is { } forced)
        {
            e = forced;
        }
        if (e == Errno.None)
        {
            foreach (var each in q.Device.Queues)
            {
                each.SndBuf = bytes;
            }
        }
        return Log(call, e);
    }

    /// <inheritdoc/>
    public SysResult TunSetVnetLe(Fd fd, bool on)
    {
        var e = BoundQueue(fd, out var q);
        if (e == Errno.None)
        {
            q.Device.VnetLe = on;
        }
        return Log(KernelCalls.TunSetVnetLe(fd, on), e);
    }

    /// <inheritdoc/>
    public SysResult TunSetVnetBe(Fd fd, bool on)
    {
        var e = BoundQueue(fd, out var q);
        if (e == Errno.None && !VnetBeSupported)
        {
            e = Errno.EINVAL;
        }
        if (e == Errno.None)
        {
            q.Device.VnetBe = on;
        }
        return Log(KernelCalls.TunSetVnetBe(fd, on), e);
    }

    /// <inheritdoc/>
    public SysResult TunSetQueue(Fd fd, TunFlags attachOrDetach)
    {
        string call = KernelCalls.TunSetQueue(fd, attachOrDetach);
        var e = TunFile(fd, out var tun);
        if (e != Errno.None)
        {
            return Log(call, e);
        }
        // linux-tun.md §8.1: every misuse is EINVAL, an unattached fd included.
        var q = tun.Queue;
        if (q is null || !q.Device.IsMultiQueue)
        {
            return Log(call, Errno.EINVAL);
        }
        if (q.Device.Deleted)
        {
            return Log(call, Errno.EBADFD);
        }
        if (attachOrDetach == TunFlags.AttachQueue && q.Detached)
        {
            q.Detached = false;
            return Log(call, SysResult.Success);
        }
        if (attachOrDetach == TunFlags.DetachQueue && !q.Detached)
        {
            q.Detached = true;
            q.Purge();
            return Log(call, SysResult.Success);
        }
        return Log(call, Errno.EINVAL);
    }

    /// <inheritdoc/>
    public SysResult TunSetSteeringEbpf(Fd fd, int programFd)
    {
        var e = BpfProgram(fd, programFd, out var q);
        if (e == Errno.None)
        {
            q!.Device.HasSteeringProgram = false;
        }
        return Log(KernelCalls.TunSetSteeringEbpf(fd, programFd), e);
    }

    /// <inheritdoc/>
    public SysResult TunSetFilterEbpf(Fd fd, int programFd)
    {
        var e = BpfProgram(fd, programFd, out var q);
        if (e == Errno.None)
        {
            q!.Device.HasFilterProgram = false;
        }
        return Log(KernelCalls.TunSetFilterEbpf(fd, programFd), e);
    }

    /// <inheritdoc/>
    public SysResult TunClearTxFilter(Fd fd)
    {
        var e = BoundQueue(fd, out var q);
        if (e == Errno.None)
        {
            q.Device.TxFilterAddresses = 0;
        }
        return Log(KernelCalls.TunClearTxFilter(fd), e);
    }

    /// <inheritdoc/>
    public SysResult TunDetachFilter(Fd fd)
    {
        var e = BoundQueue(fd, out var q);
        if (e == Errno.None)
        {
            q.Device.HasSocketFilter = false;
        }
        return Log(KernelCalls.TunDetachFilter(fd), e);
    }

    /// <summary>An attach (any fd) or a detach (-1) of a BPF program on a bound queue. The simulation has no BPF,
    /// so an open fd is never a program of the right type (EINVAL) and a closed one is EBADF.</summary>
    private Errno BpfProgram(Fd fd, int programFd, out SimTunQueue? queue)
    {
        var e = BoundQueue(fd, out var q);
        queue = q;
        if (e == Errno.None && programFd != -1)
        {
            e = _fds.ContainsKey(programFd) ? Errno.EINVAL : Errno.EBADF;
        }
        return e;
    }
}
