using Tap.Core.Abi;
using Tap.Linux.Interop;

namespace Tap.Linux;

/// <summary>
/// <c>--runas</c>: once every netdev is up, tapnet becomes an ordinary user and keeps forwarding. QEMU's steps and
/// messages (setgid, initgroups or setgroups, setuid, then proof that setuid(0) fails), and two more of ours: the
/// capability bounding set is emptied and no_new_privs set first, so neither tapnet nor a script it starts can gain a
/// capability back through exec. What needs root after this point cannot work (docs/service.md#least-privilege).
/// </summary>
public static class PrivilegeDrop
{
    /// <summary>Drops to <paramref name="user"/>; null, or QEMU's message naming the step that failed (the process
    /// may be half-dropped then: the caller exits).</summary>
    public static string? Drop(RunAsUser user)
    {
        if (DropBoundingSet() is { } bounding)
        {
            return bounding;
        }
        if (Libc.SetNoNewPrivs() != Errno.None)
        {
            return "Dropping privileges failed";
        }
        if (Libc.SetGid(user.Gid) != Errno.None)
        {
            return $"Failed to setgid({(int)user.Gid})";
        }
        if (user.UserName is { } name)
        {
            if (Libc.InitGroups(name, user.Gid) != Errno.None)
            {
                return $"Failed to initgroups(\"{name}\", {(int)user.Gid})";
            }
        }
        else if (Libc.SetGroups(user.Gid) != Errno.None)
        {
            return $"Failed to setgroups(1, [{(int)user.Gid}])";
        }
        if (Libc.SetUid(user.Uid) != Errno.None)
        {
            return $"Failed to setuid({(int)user.Uid})";
        }
        // Dropping to uid 0 keeps root; a way back means the drop did not happen.
        return Libc.SetUidRoot() == Errno.None ? "Dropping privileges failed" : null;
    }

    // Every capability the kernel knows (EINVAL past the last one ends the walk; 64 bounds it). The bounding set is
    // per thread: this is the thread that runs the loop and starts every child.
    private static string? DropBoundingSet()
    {
        for (int cap = 0; cap < 64; cap++)
        {
            var e = Libc.DropBoundingCapability(cap);
            if (e == Errno.EINVAL)
            {
                return null;
            }
            if (e != Errno.None)
            {
                return $"Dropping privileges failed: cannot empty the capability bounding set ({e}; needs CAP_SETPCAP)";
            }
        }
        return null;
    }
}
