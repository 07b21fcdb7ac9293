using Tap.Core.Backend;
using Tap.Core.Net;
using Tap.Linux;

namespace Tap.Cli;

/// <summary>
/// <c>--runas</c> after every netdev is up and before the loop: refuses what could not work without root, then drops.
/// </summary>
public static class RunAsDrop
{
    /// <summary>0 once tapnet runs as <paramref name="user"/>; 1 with the reason printed (the caller then deletes the
    /// netdevs, as root still or half-dropped, and exits).</summary>
    public static int Apply(string program, RunAsUser user, NetStack stack, TextWriter stderr)
    {
        // A down script runs when tapnet exits, after the drop: QEMU runs it without root and it fails half-way (an
        // interface left in a bridge). Refused here, before any frame is forwarded.
        if (stack.Clients.OfType<TapBackend>().FirstOrDefault(t => t.DownScript.Length > 0) is { } tap)
        {
            stderr.WriteLine(
                $"{program}: --runas: netdev '{tap.Name}' has downscript={tap.DownScript}, which would run without " +
                "root after the drop; give it downscript=no, or run without --runas");
            return 1;
        }
        if (PrivilegeDrop.Drop(user) is { } failure)
        {
            stderr.WriteLine($"{program}: {failure}");
            return 1;
        }
        return 0;
    }
}
