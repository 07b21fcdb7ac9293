using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Linux.Interop;
using Tmds.Linux;

namespace Tap.Linux;

/// <summary>
/// The fd numbers the core holds, mapped to the handles that own them. A number the table does not know is
/// looked up in the process like the kernel would: not open → EBADF; open (an fd inherited from the parent,
/// e.g. <c>fd=3</c>) → adopted, i.e. owned and closed by us from then on, like QEMU owns an <c>fd=</c> fd.
/// <para>
/// The table holds a reference on every handle it owns (a lease: <see cref="SafeHandle.DangerousAddRef"/> when the
/// handle comes in, released only when <see cref="Remove"/> or <see cref="CloseAll"/> gives it up), so while a
/// number is in the table nothing can close it: a stray <see cref="SafeHandle.Dispose()"/> elsewhere only marks the
/// handle, the close waits for the lease. The packet path relies on that (<see cref="Owns"/>): it passes the bare
/// number to read and writev without a reference of its own per call, because the only way the lease ends is the
/// core's close of that queue or the owner's dispose, and both run on the thread that runs the packet path.
/// </para>
/// </summary>
internal sealed class FdTable : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, FdHandle> _handles = new();

    /// <summary>
    /// The same handles by number, read without the lock: every packet costs two lookups (read, writev), so the
    /// packet path must not take a lock. Writers replace entries under the lock; a reader sees either handle, and a
    /// disposed one fails the call with EBADF like the kernel would.
    /// </summary>
    private volatile FdHandle?[] _byNumber = new FdHandle?[64];

    /// <summary>Takes ownership of <paramref name="handle"/> and returns the number the core will use.</summary>
    public Fd Add(FdHandle handle)
    {
        lock (_lock)
        {
            if (_handles.TryGetValue(handle.Number, out var stale))
            {
                if (ReferenceEquals(stale, handle))
                {
                    return new Fd(handle.Number);
                }
                // The kernel gave the number to a new file, so the old entry was closed behind our back
                // (a raw close of an adopted fd). Drop the stale wrapper without closing the new file.
                stale.SetHandleAsInvalid();
                stale.DangerousRelease();
            }
            Lease(handle);
            _handles[handle.Number] = handle;
            Publish(handle.Number, handle);
        }
        return new Fd(handle.Number);
    }

    /// <summary>
    /// True when the table owns <paramref name="fd"/>, so its number stays this file's until the core closes it
    /// (the lease above). Lock-free: two calls per packet.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Owns(Fd fd)
    {
        var fast = _byNumber;
        return (uint)fd.Number < (uint)fast.Length && fast[fd.Number] is not null;
    }

    /// <summary>
    /// The handle owning <paramref name="fd"/>, adopting an open number we have not seen; EBADF otherwise.
    /// </summary>
    public SysResult<FdHandle> Get(Fd fd)
    {
        var fast = _byNumber;
        if ((uint)fd.Number < (uint)fast.Length && fast[fd.Number] is { } known)
        {
            return known;
        }
        lock (_lock)
        {
            if (_handles.TryGetValue(fd.Number, out var handle))
            {
                return handle;
            }
            if (fd.Number < 0 || Libc.FcntlNumber(fd.Number, LibC.F_GETFD, 0) < 0)
            {
                return Errno.EBADF;
            }
            handle = new FdHandle(fd.Number);
            // D-10: from now on no child we spawn may inherit it unless we pass it explicitly.
            _ = Libc.Fcntl(handle, LibC.F_SETFD, LibC.FD_CLOEXEC);
            Lease(handle);
            _handles[fd.Number] = handle;
            Publish(fd.Number, handle);
            return handle;
        }
    }

    /// <summary>Forgets <paramref name="fd"/>, ends the lease and hands its handle to the caller to dispose; null when
    /// unknown.</summary>
    public FdHandle? Remove(Fd fd)
    {
        lock (_lock)
        {
            Publish(fd.Number, null);
            if (!_handles.Remove(fd.Number, out var handle))
            {
                return null;
            }
            handle.DangerousRelease();
            return handle;
        }
    }

    /// <summary>The numbers the table owns now.</summary>
    public IReadOnlyList<int> Numbers()
    {
        lock (_lock)
        {
            return [.. _handles.Keys];
        }
    }

    /// <summary>How many fds the table owns (tests use it to prove nothing stays open).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _handles.Count;
            }
        }
    }

    /// <summary>Closes every fd still owned and returns their numbers.</summary>
    public IReadOnlyList<int> CloseAll()
    {
        List<FdHandle> all;
        lock (_lock)
        {
            all = [.. _handles.Values];
            _handles.Clear();
            _byNumber = new FdHandle?[64];
        }
        foreach (var handle in all)
        {
            handle.DangerousRelease();
            handle.Dispose();
        }
        return all.ConvertAll(h => h.Number);
    }

    /// <summary>Closes every fd still owned.</summary>
    public void Dispose() => CloseAll();

    /// <summary>Takes the table's reference on a handle it now owns; throws for a handle already closed.</summary>
    private static void Lease(FdHandle handle)
    {
        bool added = false;
        handle.DangerousAddRef(ref added);
    }

    /// <summary>Sets the lock-free entry for <paramref name="number"/>; called under the lock.</summary>
    private void Publish(int number, FdHandle? handle)
    {
        if (number < 0)
        {
            return;
        }
        var array = _byNumber;
        if (number >= array.Length)
        {
            if (handle is null)
            {
                return;
            }
            var bigger = new FdHandle?[Math.Max(array.Length * 2, number + 1)];
            array.CopyTo(bigger, 0);
            array = bigger;
        }
        array[number] = handle;
        _byNumber = array;
    }
}
