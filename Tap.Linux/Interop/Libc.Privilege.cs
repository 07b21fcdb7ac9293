using System.Runtime.InteropServices;
using Tap.Core.Abi;
using Tmds.Linux;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    private const int PR_CAPBSET_DROP = 24;
    private const int PR_SET_NO_NEW_PRIVS = 38;
    private const int ERANGE = 34; // getpwnam_r: the buffer is too small (not in Errno: nothing else meets it)

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct Passwd
    {
        public byte* Name;
        public byte* Password;
        public uint Uid;
        public uint Gid;
        public byte* Gecos;
        public byte* Dir;
        public byte* Shell;
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct Group
    {
        public byte* Name;
        public byte* Password;
        public uint Gid;
        public byte** Members;
    }

    /// <summary>The user database's entry for <paramref name="name"/>: its uid and primary gid, or null when there is
    /// none (or the lookup failed: QEMU does not tell the two apart either).</summary>
    internal static unsafe (uint Uid, uint Gid)? LookUpUser(string name) =>
        WithGrowingBuffer((byte* b, nuint size, out (uint Uid, uint Gid) user) =>
        {
            Passwd entry;
            Passwd* found;
            int rc = GetPwNamR(name, &entry, b, size, &found);
            user = (entry.Uid, entry.Gid);
            return rc == 0 && found == null ? NotFound : rc;
        });

    /// <summary>The group database's gid for <paramref name="name"/>, or null.</summary>
    internal static unsafe uint? LookUpGroup(string name) =>
        WithGrowingBuffer((byte* b, nuint size, out uint gid) =>
        {
            Group entry;
            Group* found;
            int rc = GetGrNamR(name, &entry, b, size, &found);
            gid = entry.Gid;
            return rc == 0 && found == null ? NotFound : rc;
        });

    // A *_r lookup into a caller's buffer: 0 with the value, ERANGE when the buffer is too small, else not found.
    private unsafe delegate int BufferLookup<T>(byte* buffer, nuint size, out T value);

    private const int NotFound = -1;

    // Retries with a buffer four times larger while the entry does not fit (a group with many members), up to 1 MiB.
    private static unsafe T? WithGrowingBuffer<T>(BufferLookup<T> lookup) where T : struct
    {
        for (int size = 1024; size <= 1 << 20; size *= 4)
        {
            byte[] buffer = new byte[size];
            int rc;
            T value;
            fixed (byte* b = buffer)
            {
                rc = lookup(b, (nuint)size, out value);
            }
            if (rc != ERANGE)
            {
                return rc == 0 ? value : null;
            }
        }
        return null;
    }

    /// <summary>setresgid(gid, gid, gid): glibc applies it to every thread of the process.</summary>
    internal static Errno SetGid(uint gid) => LibC.setresgid(gid, gid, gid) == 0 ? Errno.None : LastErrno();

    /// <summary>setresuid(uid, uid, uid), every thread; leaving uid 0 clears the permitted and effective
    /// capabilities.</summary>
    internal static Errno SetUid(uint uid) => LibC.setresuid(uid, uid, uid) == 0 ? Errno.None : LastErrno();

    /// <summary>setuid(0): only to prove that the way back is closed.</summary>
    internal static Errno SetUidRoot() => LibC.setuid(0) == 0 ? Errno.None : LastErrno();

    /// <summary>The supplementary groups of <paramref name="user"/> from the group database, plus
    /// <paramref name="gid"/>.</summary>
    internal static Errno InitGroups(string user, uint gid) => InitGroupsRaw(user, gid) == 0 ? Errno.None : LastErrno();

    /// <summary>Exactly one supplementary group.</summary>
    internal static unsafe Errno SetGroups(uint gid)
    {
        gid_t one = gid;
        return LibC.setgroups(1, &one) == 0 ? Errno.None : LastErrno();
    }

    /// <summary>Removes capability <paramref name="cap"/> from the calling thread's bounding set (EINVAL past the
    /// last capability the kernel knows).</summary>
    internal static Errno DropBoundingCapability(int cap) =>
        PrctlRaw(PR_CAPBSET_DROP, (nuint)cap, 0, 0, 0) == 0 ? Errno.None : LastErrno();

    /// <summary>no_new_privs for the calling thread and every child it starts: exec can never grant privileges
    /// again (setuid binaries, file capabilities).</summary>
    internal static Errno SetNoNewPrivs() => PrctlRaw(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 ? Errno.None : LastErrno();
}
