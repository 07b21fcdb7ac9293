using Tap.Core.Abi;
using Tap.Core.Os;

namespace Tap.Core.Init;

/// <summary>
/// D-21: a persistent tap keeps what its previous user set on it: a steering program, an eBPF filter, a TX (MAC)
/// filter, a classic socket filter (re-attached to every queue that joins) and the little-endian header flag. QEMU
/// resets only offloads and the header size, so a leftover filter silently drops traffic. Opening a tap by name,
/// we clear all of it once every queue is attached, before the setup script (which may set its own). Taps handed
/// over as fds are left as their provider configured them.
/// </summary>
public static class StaleTapState
{
    /// <summary>Clears the device's inherited state through <paramref name="fd"/>, one of its queues.</summary>
    public static void Clear(IOsNet os, Fd fd)
    {
        Check(os, "steering program", os.TunSetSteeringEbpf(fd, -1));
        Check(os, "eBPF filter", os.TunSetFilterEbpf(fd, -1));
        Check(os, "TX filter", os.TunClearTxFilter(fd));
        Check(os, "socket filter", os.TunDetachFilter(fd));
        Check(os, "little-endian header flag", os.TunSetVnetLe(fd, false));
    }

    private static void Check(IOsNet os, string what, SysResult result)
    {
        // EINVAL and ENOTTY: a kernel without that feature, so without that state to clear either.
        if (!result.Ok && result.Error is not (Errno.EINVAL or Errno.ENOTTY))
        {
            os.Report(new Diagnostic(DiagnosticKind.Warning,
                $"could not clear the {what} a previous user may have left on the tap: {ErrnoText.Of(result.Error)}"));
        }
    }
}
