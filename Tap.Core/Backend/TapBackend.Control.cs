using Tap.Core.Abi;
using Tap.Core.Os;

namespace Tap.Core.Backend;

public sealed partial class TapBackend
{
    /// <summary>R25: vhost takes over (false) or gives back (true) the data path.</summary>
    public void Poll(bool enable)
    {
        _readPoll = enable;
        _writePoll = enable;
        UpdateFdHandler();
    }

    /// <summary>R26: attach this queue. 0, or the failing ioctl's -errno (QEMU returns -1).</summary>
    public int Enable()
    {
        if (_enabled)
        {
            return 0;
        }
        var r = Ioctl(static (o, f) => o.TunSetQueue(f, TunFlags.AttachQueue));
        if (!r.Ok)
        {
            _os.Report(new Diagnostic(DiagnosticKind.Error, "could not enable queue"));
            return -(int)r.Error;
        }
        _enabled = true;
        UpdateFdHandler();
        return 0;
    }

    /// <summary>R27: detach this queue; its packets waiting at the peer are purged first.</summary>
    public int Disable()
    {
        if (!_enabled)
        {
            return 0;
        }
        var r = Ioctl(static (o, f) => o.TunSetQueue(f, TunFlags.DetachQueue));
        if (!r.Ok)
        {
            _os.Report(new Diagnostic(DiagnosticKind.Error, "could not disable queue"));
            return -(int)r.Error;
        }
        PurgeQueuedPackets();
        _enabled = false;
        UpdateFdHandler();
        return 0;
    }

    /// <summary>
    /// R30 [seed]: the peer takes over the header. QEMU aborts the process when the ioctl fails (D-16); we report
    /// it, keep the old header handling and return false.
    /// </summary>
    protected override bool SetVnetHdrLenCore(int len)
    {
        var r = Ioctl((o, f) => o.TunSetVnetHdrSize(f, len));
        if (!r.Ok)
        {
            _os.Report(new Diagnostic(DiagnosticKind.Raw, $"TUNSETVNETHDRSZ ioctl() failed: {ErrnoText.Of(r.Error)}."));
            return false;
        }
        HostVnetHdrLen = len;
        UsingVnetHdr = true;
        return true;
    }

    /// <summary>
    /// Undoes a <see cref="Tap.Core.Net.NetClient.SetVnetHdrLen(int)"/> of the creation length (10) that the hub
    /// offload plan could not
    /// complete: the backend strips and adds the header itself again (R11, R20). The kernel keeps the same size, so
    /// no ioctl is needed.
    /// </summary>
    internal void ReturnVnetHdr()
    {
        UsingVnetHdr = false;
    }

    /// <summary>R32: TUNSETVNETLE. 0, -22 when unsupported; other failures are reported (QEMU aborts, D-16).</summary>
    public override int SetVnetLe(bool on) =>
        EndianResult("TUNSETVNETLE", on ? _os.TunSetVnetLe(_fd, true) : _os.TunSetVnetLe(_fd, false));

    /// <summary>R32: TUNSETVNETBE, as <see cref="SetVnetLe"/>.</summary>
    public override int SetVnetBe(bool on) =>
        EndianResult("TUNSETVNETBE", on ? _os.TunSetVnetBe(_fd, true) : _os.TunSetVnetBe(_fd, false));

    private int EndianResult(string ioctl, SysResult r)
    {
        if (r.Ok)
        {
            return 0;
        }
        if (r.Error != Errno.EINVAL)
        {
            _os.Report(new Diagnostic(DiagnosticKind.Error, $"{ioctl} ioctl() failed: {ErrnoText.Of(r.Error)}."));
        }
        return -(int)r.Error;
    }

    /// <summary>
    /// R33 [seed]: capability check with 0, then the mask, falling back without USO and then without UFO.
    /// Every flag but CSUM needs CSUM; ECN needs TSO4 or TSO6.
    /// </summary>
    public override void SetOffload(TunOffload offload)
    {
        if (!_fdOpen)
        {
            return;
        }
        var probe = Ioctl(static (o, f) => o.TunSetOffload(f, TunOffload.None));
        if (!probe.Ok && probe.Error == Errno.EINVAL)
        {
            return;
        }

        var mask = TunOffload.None;
        if ((offload & TunOffload.Csum) != 0)
        {
            const TunOffload segmentation =
                TunOffload.Tso4 | TunOffload.Tso6 | TunOffload.Ufo | TunOffload.Uso4 | TunOffload.Uso6;
            mask = TunOffload.Csum | (offload & segmentation);
            if ((offload & TunOffload.TsoEcn) != 0 && (offload & (TunOffload.Tso4 | TunOffload.Tso6)) != 0)
            {
                mask |= TunOffload.TsoEcn;
            }
        }

        var r = SetOffloadMask(mask);
        if (!r.Ok)
        {
            mask &= ~(TunOffload.Uso4 | TunOffload.Uso6);
            r = SetOffloadMask(mask);
            if (!r.Ok)
            {
                mask &= ~TunOffload.Ufo;
                r = SetOffloadMask(mask);
                if (!r.Ok)
                {
                    _os.Report(new Diagnostic(
                        DiagnosticKind.Raw, $"TUNSETOFFLOAD ioctl() failed: {ErrnoText.Of(r.Error)}"));
                }
            }
        }
    }

    private SysResult SetOffloadMask(TunOffload mask)
    {
        SysResult r;
        do
        {
            r = _os.TunSetOffload(_fd, mask);
        }
        while (r.Error == Errno.EINTR);
        return r;
    }

    /// <summary>R34: TUNSETSTEERINGEBPF; false (and a report) on failure.</summary>
    public bool SetSteeringEbpf(int programFd)
    {
        var r = _os.TunSetSteeringEbpf(_fd, programFd);
        if (!r.Ok)
        {
            _os.Report(new Diagnostic(DiagnosticKind.Error,
                $"Issue while setting TUNSETSTEERINGEBPF: {ErrnoText.Of(r.Error)} "
                + $"with fd: {_fd}, prog_fd: {programFd}"));
            return false;
        }
        return true;
    }
}
