using System.Runtime.InteropServices;
using System.Text;
using Tap.Core.Abi;
using Tmds.Linux;

namespace Tap.Linux.Interop;

internal static partial class Libc
{
    /// <summary>sizeof(posix_spawn_file_actions_t) is 80 and sizeof(posix_spawnattr_t) 336 on glibc x86_64; the
    /// buffers are larger so a future glibc growing them cannot overrun us (AbiTests checks the real sizes fit).
    /// Tmds.LibC has neither type (nor posix_spawn).</summary>
    internal const int SpawnFileActionsBytes = 256;
    internal const int SpawnAttrBytes = 1024;

    /// <summary>The highest classic signal reset to its default in the child. .NET ignores SIGPIPE, and ignored
    /// dispositions survive exec, so without this the child would run with SIGPIPE ignored.</summary>
    private const int LastClassicSignal = 31;

    /// <summary>kill(2).</summary>
    internal static Errno Kill(int pid, int signal) => LibC.kill(pid, signal) == 0 ? Errno.None : LastErrno();

    /// <summary>pidfd_open(pid, 0): a pollable fd that becomes readable when the child exits, which gives a wait
    /// with a timeout without signals or busy polling.</summary>
    internal static Errno PidFdOpen(int pid, out FdHandle handle) => NewHandle(PidFdOpenRaw(pid, 0), out handle);

    /// <summary>waitpid(2) for one pid, EINTR retried; returns the pid, 0 (WNOHANG, still running) or -1.</summary>
    internal static int WaitPid(int pid, int options, out int status, out Errno error)
    {
        while (true)
        {
            int got = WaitPidRaw(pid, out status, options);
            error = got < 0 ? LastErrno() : Errno.None;
            if (got >= 0 || error != Errno.EINTR)
            {
                return got;
            }
        }
    }

    /// <summary>
    /// posix_spawn of <paramref name="path"/> (no PATH search) with <paramref name="argv"/> and
    /// <paramref name="envp"/>. The child keeps fds 0-2 and, when <paramref name="passFd"/> is given, a copy of it
    /// as fd <paramref name="childFdNumber"/>; every higher fd is closed. Its signal mask is empty and every
    /// classic signal has its default action. Nothing here runs managed code in the child (D-29).
    /// </summary>
    internal static unsafe Errno Spawn(string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp,
        FdHandle? passFd, int childFdNumber, out int pid)
    {
        var strings = new List<nint>();
        byte* actions = stackalloc byte[SpawnFileActionsBytes];
        byte* attr = stackalloc byte[SpawnAttrBytes];
        sigset_t emptyMask = default;
        sigset_t defaults = default;
        bool passRef = false;
        byte** nativeArgv = null;
        byte** nativeEnvp = null;
        _ = SpawnFileActionsInit(actions);
        _ = SpawnAttrInit(attr);
        try
        {
            byte* nativePath = Utf8(path, strings);
            nativeArgv = StringArray(argv, strings);
            nativeEnvp = StringArray(envp, strings);

            int lowestClosed = childFdNumber;
            if (passFd is not null)
            {
                passFd.DangerousAddRef(ref passRef);
                // Same number: glibc clears FD_CLOEXEC instead of dup2 (Austin Group issue 411, glibc ≥ 2.29).
                // Otherwise dup2 makes an inheritable copy, in the child only.
                _ = SpawnFileActionsAddDup2(actions, passFd.Number, childFdNumber);
                lowestClosed = childFdNumber + 1;
            }
            // Our fds are all O_CLOEXEC; this also closes whatever the runtime or our parent left inheritable.
            _ = SpawnFileActionsAddCloseFrom(actions, lowestClosed);

            _ = LibC.sigemptyset(&emptyMask);
            _ = LibC.sigemptyset(&defaults);
            for (int signal = 1; signal <= LastClassicSignal; signal++)
            {
                if (signal != LibC.SIGKILL && signal != LibC.SIGSTOP)
                {
                    _ = LibC.sigaddset(&defaults, signal);
                }
            }
            _ = SpawnAttrSetSigMask(attr, &emptyMask);
            _ = SpawnAttrSetSigDefault(attr, &defaults);
            _ = SpawnAttrSetFlags(attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

            int child;
            int error = PosixSpawn(&child, nativePath, actions, attr, nativeArgv, nativeEnvp);
            pid = error == 0 ? child : 0;
            return (Errno)error;
        }
        finally
        {
            _ = SpawnFileActionsDestroy(actions);
            _ = SpawnAttrDestroy(attr);
            if (passRef)
            {
                passFd!.DangerousRelease();
            }
            NativeMemory.Free(nativeArgv);
            NativeMemory.Free(nativeEnvp);
            foreach (var s in strings)
            {
                NativeMemory.Free((void*)s);
            }
        }
    }

    private static unsafe byte** StringArray(IReadOnlyList<string> items, List<nint> strings)
    {
        var array = (byte**)NativeMemory.Alloc((nuint)(items.Count + 1), (nuint)sizeof(byte*));
        for (int i = 0; i < items.Count; i++)
        {
            array[i] = Utf8(items[i], strings);
        }
        array[items.Count] = null;
        return array;
    }

    private static unsafe byte* Utf8(string text, List<nint> strings)
    {
        int length = Encoding.UTF8.GetByteCount(text);
        var p = (byte*)NativeMemory.Alloc((nuint)length + 1);
        strings.Add((nint)p);
        Encoding.UTF8.GetBytes(text, new Span<byte>(p, length));
        p[length] = 0;
        return p;
    }
}
