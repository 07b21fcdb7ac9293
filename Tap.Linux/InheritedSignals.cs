using Tap.Linux.Interop;
using Tmds.Linux;

namespace Tap.Linux;

/// <summary>
/// Takes back SIGINT, SIGTERM and SIGHUP when tapnet was started with them ignored, so that they stop it cleanly as
/// they stop QEMU (which sets its handler for all three whatever it inherited; QEMU 7.2 checked,
/// docs/scripts-and-helpers.md#inherited-signals).
/// A shell starts a background job with SIGINT ignored and nohup ignores SIGHUP; .NET leaves a signal that is
/// ignored when its signal handling starts ignored for good, so the loop's registration never hears it and
/// <c>tapnet ... &amp; kill -INT $!</c> left tapnet running.
/// </summary>
public static class InheritedSignals
{
    /// <summary>
    /// Sets each of the three that is ignored back to its default. Call it first in Main: the runtime's signal
    /// handling starts with the first use of Console, Process or PosixSignalRegistration and reads the dispositions
    /// then. Until the loop registers its handlers a taken-back signal ends tapnet as the default action does, as
    /// it would have if it had not been ignored.
    /// </summary>
    public static void Reclaim()
    {
        foreach (int signal in new[] { LibC.SIGINT, LibC.SIGTERM, LibC.SIGHUP })
        {
            // sigaction fails only for an invalid signal number or a bad pointer, neither possible here.
            if (Libc.SignalIgnored(signal, out bool ignored) == Tap.Core.Abi.Errno.None && ignored)
            {
                _ = Libc.SetSignalDefault(signal);
            }
        }
    }
}
