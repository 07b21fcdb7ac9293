using System.Globalization;
using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Linux.Interop;
using Tmds.Linux;

namespace Tap.Linux;

public sealed partial class LinuxOsNet
{
    /// <summary>One queue pair: rx and tx virtqueues (vhost-net.md §3.1 step 5).</summary>
    private const int VirtqueuesPerPair = 2;

    private readonly Lock _vhostLock = new();
    // The call/err eventfds of each initialised vhost fd (by number), closed by VhostNetCleanup or Close.
    private readonly Dictionary<int, List<FdHandle>> _vhostEventFds = new();

    /// <inheritdoc/>
    public VhostInitResult VhostNetInit(Fd vhostFd, Fd tapFd, bool tapHasVnetHdr, uint busyloopTimeoutUs)
    {
        var vhost = _fds.Get(vhostFd);
        if (!vhost.Ok)
        {
            return VhostInitResult.Failure($"vhost_set_owner failed: {ErrnoText.Of(vhost.Error)}");
        }
        var handle = vhost.Value;

        var error = Libc.IoctlValue(handle, VhostIoctl.VHOST_SET_OWNER, 0);
        if (error != Errno.None)
        {
            return VhostInitResult.Failure($"vhost_set_owner failed: {ErrnoText.Of(error)}");
        }

        ulong features = 0;
        error = Libc.Ioctl(handle, VhostIoctl.VHOST_GET_FEATURES, ref features);
        if (error != Errno.None)
        {
            return VhostInitResult.Failure($"vhost_get_features failed: {ErrnoText.Of(error)}");
        }

        var eventFds = new List<FdHandle>(2 * VirtqueuesPerPair);
        var failure = SetUpVirtqueues(handle, busyloopTimeoutUs, eventFds);
        if (failure is null)
        {
            // Step 10: without a vnet header on the tap the kernel must add/strip it itself.
            ulong backend = tapHasVnetHdr ? 0 : VhostIoctl.VhostNetFVirtioNetHdr;
            if ((backend & ~features) != 0)
            {
                failure = $"vhost lacks feature mask 0x{backend & ~features:x} for backend"
                    .ToString(CultureInfo.InvariantCulture);
            }
        }
        if (failure is not null)
        {
            foreach (var efd in eventFds)
            {
                efd.Dispose();
            }
            return VhostInitResult.Failure(failure);
        }

        lock (_vhostLock)
        {
            if (_vhostEventFds.Remove(vhostFd.Number, out var old))
            {
                old.ForEach(e => e.Dispose());
            }
            _vhostEventFds[vhostFd.Number] = eventFds;
        }
        _ = tapFd; // attached later with VHOST_NET_SET_BACKEND when the guest starts (vhost-net.md §3.2)
        return VhostInitResult.Success;
    }

    /// <inheritdoc/>
    public void VhostNetCleanup(Fd vhostFd) => ForgetVhost(vhostFd);

    /// <inheritdoc/>
    public SysResult VhostNetStart(Fd vhostFd, Fd tapFd)
    {
        var vhost = _fds.Get(vhostFd);
        if (!vhost.Ok)
        {
            return vhost.Error;
        }
        var tap = _fds.Get(tapFd);
        if (!tap.Ok)
        {
            return tap.Error;
        }
        // The worker reads the tap from now on: reads the uring loop still has posted would take its frames.
        _loop.Release(tapFd.Number);
        for (uint index = 0; index < VirtqueuesPerPair; index++)
        {
            var file = new VhostIoctl.VringFile { Index = index, Fd = tap.Value.Number };
            var error = Libc.Ioctl(vhost.Value, VhostIoctl.VHOST_NET_SET_BACKEND, ref file);
            if (error != Errno.None)
            {
                // QEMU's vhost_net_start_one: undo the virtqueues already attached, so nothing is left half-started.
                for (uint done = 0; done < index; done++)
                {
                    var undo = new VhostIoctl.VringFile { Index = done, Fd = VhostIoctl.VhostFileUnbind };
                    _ = Libc.Ioctl(vhost.Value, VhostIoctl.VHOST_NET_SET_BACKEND, ref undo);
                }
                return error;
            }
        }
        return SysResult.Success;
    }

    /// <inheritdoc/>
    public SysResult VhostNetStop(Fd vhostFd)
    {
        var vhost = _fds.Get(vhostFd);
        if (!vhost.Ok)
        {
            return vhost.Error;
        }
        var first = Errno.None;
        for (uint index = 0; index < VirtqueuesPerPair; index++)
        {
            // Both virtqueues are detached even when one fails (QEMU asserts neither does).
            var file = new VhostIoctl.VringFile { Index = index, Fd = VhostIoctl.VhostFileUnbind };
            var error = Libc.Ioctl(vhost.Value, VhostIoctl.VHOST_NET_SET_BACKEND, ref file);
            if (first == Errno.None)
            {
                first = error;
            }
        }
        return first == Errno.None ? SysResult.Success : first;
    }

    private static string? SetUpVirtqueues(FdHandle vhost, uint busyloopTimeoutUs, List<FdHandle> eventFds)
    {
        for (uint index = 0; index < VirtqueuesPerPair; index++)
        {
            foreach (uint request in new[] { VhostIoctl.VHOST_SET_VRING_CALL, VhostIoctl.VHOST_SET_VRING_ERR })
            {
                var error = Libc.EventFd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK, out var efd);
                if (error != Errno.None)
                {
                    efd.Dispose();
                    return $"Failed to initialize virtqueue {index}: {ErrnoText.Of(error)}";
                }
                eventFds.Add(efd);
                var file = new VhostIoctl.VringFile { Index = index, Fd = efd.Number };
                error = Libc.Ioctl(vhost, request, ref file);
                if (error != Errno.None)
                {
                    return $"Failed to initialize virtqueue {index}: {ErrnoText.Of(error)}";
                }
            }
        }

        if (busyloopTimeoutUs != 0)
        {
            for (uint index = 0; index < VirtqueuesPerPair; index++)
            {
                var state = new VhostIoctl.VringState { Index = index, Num = busyloopTimeoutUs };
                var error = Libc.Ioctl(vhost, VhostIoctl.VHOST_SET_VRING_BUSYLOOP_TIMEOUT, ref state);
                if (error != Errno.None)
                {
                    return $"Failed to set busyloop timeout: {ErrnoText.Of(error)}";
                }
            }
        }
        return null;
    }

    private void ForgetVhost(Fd vhostFd)
    {
        List<FdHandle>? eventFds;
        lock (_vhostLock)
        {
            _vhostEventFds.Remove(vhostFd.Number, out eventFds);
        }
        eventFds?.ForEach(e => e.Dispose());
    }

    private void DisposeVhost()
    {
        lock (_vhostLock)
        {
            foreach (var list in _vhostEventFds.Values)
            {
                list.ForEach(e => e.Dispose());
            }
            _vhostEventFds.Clear();
        }
    }
}
