using System.Globalization;
using System.Text;

namespace Tap.Tests.Model;

public static partial class NetdevReferenceModel
{
    /// <summary>Opening a tap queue on the model kernel (O37, linux-tun.md §1).</summary>
    private sealed partial class Run
    {
        /// <summary>O37 tap_open + kernel tun_set_iff (linux-tun.md §1.2).</summary>
        private (string Name, bool Vnet, int Flags, bool Created, string? Error) OpenTap(
            string requested, bool vnetRequested, bool vnetRequired, bool multiqueue)
        {
            if (env.TunOpenError is { } openErr)
            {
                return ("", false, 0, false, $"could not open /dev/net/tun: {openErr.Text()}");
            }

            var flags = 0x1002 | 0x2000;
            var vnet = vnetRequested && env.VnetHdrSupported;
            if (vnetRequested && !env.VnetHdrSupported && vnetRequired)
            {
                return ("", false, 0, false, VnetUnsupported);
            }

            if (vnet)
            {
                flags |= 0x4000;
            }

            if (multiqueue)
            {
                if (!env.MultiqueueSupported)
                {
                    return ("", false, 0, false, MultiqueueUnsupported);
                }

                flags |= 0x0100;
            }

            var (actual, created, errno) = SetIff(requested, multiqueue);
            if (errno is { } e)
            {
                var label = requested.Length > 0 ? $" ({requested})" : "";
                return ("", false, 0, false, $"could not configure /dev/net/tun{label}: {e.Text()}");
            }

            return (actual, vnet, flags, created, null);
        }

        private (string Name, bool Created, ModelErrno? Error) SetIff(string requested, bool multiqueue)
        {
            var name = requested.Length == 0 ? "tap%d" : requested;
            if (_ifaces.TryGetValue(name, out var existing))
            {
                switch (existing.Kind)
                {
                    case InterfaceKind.NotTap:
                        return (name, false, ModelErrno.EINVAL);
                    case InterfaceKind.SingleQueueTapBusy:
                        return (name, false, multiqueue ? ModelErrno.EINVAL : ModelErrno.EBUSY);
                    case InterfaceKind.SingleQueueTapFree:
                        if (multiqueue)
                        {
                            return (name, false, ModelErrno.EINVAL);
                        }

                        _ifaces[name] = new ExistingInterface(InterfaceKind.SingleQueueTapBusy, 1);
                        return (name, false, null);
                    default:
                        if (!multiqueue)
                        {
                            return (name, false, ModelErrno.EINVAL);
                        }

                        if (existing.AttachedQueues >= MaxQueues)
                        {
                            return (name, false, ModelErrno.E2BIG);
                        }

                        _ifaces[name] = existing with { AttachedQueues = existing.AttachedQueues + 1 };
                        return (name, false, null);
                }
            }

            if (!env.HasNetAdmin)
            {
                return (name, false, ModelErrno.EPERM);
            }

            if (!IsValidKernelName(name))
            {
                return (name, false, ModelErrno.EINVAL);
            }

            var percent = name.IndexOf('%', StringComparison.Ordinal);
            if (percent >= 0)
            {
                if (percent + 1 >= name.Length || name[percent + 1] != 'd' || name.IndexOf('%', percent + 2) >= 0)
                {
                    return (name, false, ModelErrno.EINVAL);
                }

                var n = 0;
                while (_ifaces.ContainsKey(name.Replace("%d", n.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)))
                {
                    n++;
                }

                name = name.Replace("%d", n.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            }

            _ifaces[name] = multiqueue
                ? new ExistingInterface(InterfaceKind.MultiQueueTap, 1)
                : new ExistingInterface(InterfaceKind.SingleQueueTapBusy, 1);
            return (name, true, null);
        }

        /// <summary>Kernel dev_valid_name: 1..15 bytes, not "." or "..", no '/', ':' or C whitespace.</summary>
        private static bool IsValidKernelName(string name) =>
            name.Length > 0
            && Encoding.UTF8.GetByteCount(name) <= 15
            && name is not "." and not ".."
            && !name.Any(c => c == '/' || c == ':' || IsCSpace(c));
    }
}
