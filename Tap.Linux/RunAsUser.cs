using System.Globalization;
using Tap.Linux.Interop;

namespace Tap.Linux;

/// <summary>
/// Who tapnet becomes with <c>--runas</c>, resolved when the command line is read (as QEMU's <c>-runas</c> /
/// <c>-run-with user=</c>): a user name (its uid and primary group; its supplementary groups at the drop, as QEMU's
/// initgroups), a user and a group by name (that group only), or QEMU's numeric <c>UID:GID</c> (that group only).
/// </summary>
public sealed record RunAsUser(uint Uid, uint Gid, string? UserName)
{
    /// <summary>The user and group for <paramref name="spec"/>, or null with QEMU's message (without the program
    /// prefix).</summary>
    public static (RunAsUser? User, string? Error) Resolve(string spec)
    {
        if (spec.Length > 0 && Libc.LookUpUser(spec) is { } whole)
        {
            return (new RunAsUser(whole.Uid, whole.Gid, spec), null);
        }
        int colon = spec.IndexOf(':');
        if (colon > 0 && colon < spec.Length - 1)
        {
            string user = spec[..colon], group = spec[(colon + 1)..];
            if (Id(user) is { } uid && Id(group) is { } gid)
            {
                return (new RunAsUser(uid, gid, null), null);
            }
            if (Libc.LookUpUser(user) is { } named && Libc.LookUpGroup(group) is { } groupId)
            {
                return (new RunAsUser(named.Uid, groupId, null), null);
            }
        }
        return (null, $"User \"{spec}\" doesn't exist (and is not <uid>:<gid>)");
    }

    // QEMU takes the numbers with strtoul base 0 and rejects (uid_t)-1; decimal only here, the form anyone writes.
    private static uint? Id(string text) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint id) && id != uint.MaxValue
            ? id
            : null;
}
