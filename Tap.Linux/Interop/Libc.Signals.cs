using Tap.Core.Abi;
using Tmds.Linux;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    /// <summary>Whether <paramref name="signal"/>'s disposition is SIG_IGN (sigaction(2), nothing changed).</summary>
    internal static unsafe Errno SignalIgnored(int signal, out bool ignored)
    {
        sigaction current = default;
        ignored = false;
        if (SigActionRaw(signal, null, &current) != 0)
        {
            return LastErrno();
        }
        ignored = current.sa_handler == LibC.SIG_IGN;
        return Errno.None;
    }

    /// <summary>Sets <paramref name="signal"/>'s disposition to SIG_DFL (sigaction(2)).</summary>
    internal static unsafe Errno SetSignalDefault(int signal)
    {
        sigaction action = default; // SIG_DFL, an empty mask, no flags
        return SigActionRaw(signal, &action, null) == 0 ? Errno.None : LastErrno();
    }
}
