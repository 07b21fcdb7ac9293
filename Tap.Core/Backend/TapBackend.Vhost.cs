using Tap.Core.Abi;
using Tap.Core.Os;

namespace Tap.Core.Backend;

public sealed partial class TapBackend
{
    /// <summary>
    /// R25a: the front end's driver is ready and the kernel's vhost worker takes the data path: the backend stops
    /// polling first (R25), then attaches the tap to both virtqueues. On failure the tap is polled again and the
    /// queue stays with the backend. 0, or the failing call's -errno; -EINVAL on a queue without vhost.
    /// </summary>
    public int VhostStart()
    {
        if (_vhostRunning)
        {
            return 0;
        }
        if (VhostFd is not { } vhost || !_fdOpen)
        {
            return -(int)Errno.EINVAL;
        }
        Poll(false);
        var r = _os.VhostNetStart(vhost, _fd);
        if (!r.Ok)
        {
            // QEMU's vhost_net_start prints the negative errno's magnitude and goes on without vhost.
            _os.Report(new Diagnostic(DiagnosticKind.Error,
                $"unable to start vhost net: {(int)r.Error}: falling back on userspace virtio"));
            Poll(true);
            return -(int)r.Error;
        }
        _vhostRunning = true;
        return 0;
    }

    /// <summary>
    /// R25b: the worker lets go of the tap, then the backend polls it again (R25) and writes what its peer sent
    /// meanwhile (R25c). 0, or the detach's -errno (the data path comes back either way, as QEMU asserts the
    /// detach cannot fail).
    /// </summary>
    public int VhostStop()
    {
        if (!_vhostRunning || VhostFd is not { } vhost)
        {
            return 0;
        }
        var r = _os.VhostNetStop(vhost);
        _vhostRunning = false;
        Poll(true);
        FlushQueuedPackets();
        return r.Ok ? 0 : -(int)r.Error;
    }
}
