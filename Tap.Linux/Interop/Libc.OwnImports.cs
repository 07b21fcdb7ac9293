using System.Runtime.InteropServices;
using Tmds.Linux;

namespace Tap.Linux.Interop;

/// <summary>
/// The only glibc imports we declare ourselves: what Tmds.LibC 0.5.0 lacks (or declares so that errno is lost).
/// Each entry says why. They stay raw; the family files wrap them at the edge as they wrap Tmds.LibC's calls.
/// </summary>
internal static partial class Libc
{
    internal const int WNOHANG = 1; // waitpid's option: Tmds.LibC has no waitpid, so no WNOHANG either
    internal const short POSIX_SPAWN_SETSIGDEF = 0x04; // Tmds.LibC has no posix_spawn flags
    internal const short POSIX_SPAWN_SETSIGMASK = 0x08; // Tmds.LibC has no posix_spawn flags

    // glibc's read and writev are cancellation points: in a multi-threaded process (the runtime's threads) each
    // brackets the system call with __pthread_enable/disable_asynccancel, ~63 instructions a frame under callgrind.
    // syscall(2) is a plain trap; nothing here cancels threads. Integer arguments only, so the variadic call passes
    // them in the same registers as a fixed one (SysV x86-64, AAPCS64). SuppressGCTransition on the packet path's
    // calls: every fd the core reads or writes is O_NONBLOCK (a blocking one would stall the loop anyway), so the
    // call returns within microseconds and the runtime's transition (~38 instructions a frame) buys nothing.
    [LibraryImport(Name, EntryPoint = "syscall")]
    [SuppressGCTransition]
    private static partial nint Syscall3(nint number, nint a1, nint a2, nint a3);

    // The packet path's calls where syscall(2)'s numbers are not known here, declared without SetLastError:
    // with it every call clears errno before and saves it after (two more calls into the runtime, ~40 instructions
    // a frame under callgrind); the callers read errno only when the call failed (Libc.SystemErrno). Tmds.LibC's
    // read has SetLastError; it has no writev at all.
    [LibraryImport(Name, EntryPoint = "read")]
    [SuppressGCTransition]
    private static unsafe partial nint ReadRaw(int fd, byte* buffer, nint count);

    // See ReadRaw.
    [LibraryImport(Name, EntryPoint = "writev")]
    [SuppressGCTransition]
    private static unsafe partial nint WriteVRaw(int fd, iovec* iov, int iovCount);

    // See ReadRaw: the packet path's single-buffer write (Tmds.LibC's write has SetLastError).
    [LibraryImport(Name, EntryPoint = "write")]
    [SuppressGCTransition]
    private static unsafe partial nint WriteRaw(int fd, byte* buffer, nint count);

    // The loop's wait, once per burst (per frame at low rates): as ReadRaw, errno only on failure.
    [LibraryImport(Name, EntryPoint = "epoll_wait")]
    private static unsafe partial int EpollWaitRaw(int epfd, epoll_event* events, int maxEvents, int timeoutMs);

    // Tmds.LibC declares poll without SetLastError, so its EINTR (the child wait recomputes its time left) is lost.
    [LibraryImport(Name, EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int PollRaw(pollfd* fds, nuint count, int timeoutMs);

    // Tmds.LibC has no waitpid (nor wait4/waitid).
    [LibraryImport(Name, EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPidRaw(int pid, out int status, int options);

    // Tmds.LibC has no pidfd_open (glibc >= 2.36, Linux >= 5.3).
    [LibraryImport(Name, EntryPoint = "pidfd_open", SetLastError = true)]
    private static partial int PidFdOpenRaw(int pid, uint flags);

    // Tmds.LibC has none of the posix_spawn family, from here to the end of the file.
    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_init")]
    private static unsafe partial int SpawnFileActionsInit(void* actions);

    // Tmds.LibC has no posix_spawn family.
    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_destroy")]
    private static unsafe partial int SpawnFileActionsDestroy(void* actions);

    // Tmds.LibC has no posix_spawn family.
    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_adddup2")]
    private static unsafe partial int SpawnFileActionsAddDup2(void* actions, int fd, int newFd);

    // Tmds.LibC has no posix_spawn family. Closes every fd >= lowFd in the child (glibc >= 2.34).
    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_addclosefrom_np")]
    private static unsafe partial int SpawnFileActionsAddCloseFrom(void* actions, int lowFd);

    // Tmds.LibC has no posix_spawn family.
    [LibraryImport(Name, EntryPoint = "posix_spawnattr_init")]
    private static unsafe partial int SpawnAttrInit(void* attr);

    // Tmds.LibC has no posix_spawn family.
    [LibraryImport(Name, EntryPoint = "posix_spawnattr_destroy")]
    private static unsafe partial int SpawnAttrDestroy(void* attr);

    // Tmds.LibC has no posix_spawn family.
    [LibraryImport(Name, EntryPoint = "posix_spawnattr_setflags")]
    private static unsafe partial int SpawnAttrSetFlags(void* attr, short flags);

    // Tmds.LibC has no posix_spawn family (its sigset_t is used for the mask).
    [LibraryImport(Name, EntryPoint = "posix_spawnattr_setsigmask")]
    private static unsafe partial int SpawnAttrSetSigMask(void* attr, sigset_t* sigset);

    // Tmds.LibC has no posix_spawn family (its sigset_t is used for the set).
    [LibraryImport(Name, EntryPoint = "posix_spawnattr_setsigdefault")]
    private static unsafe partial int SpawnAttrSetSigDefault(void* attr, sigset_t* sigset);

    // Tmds.LibC has no posix_spawn. Returns the error number (posix_spawn does not set errno); glibc spawns with
    // CLONE_VFORK and reports the child's exec failure the same way.
    [LibraryImport(Name, EntryPoint = "posix_spawn")]
    private static unsafe partial int PosixSpawn(
        int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    // Tmds.LibC has no user database lookups. The reentrant form: other threads of the runtime exist.
    [LibraryImport(Name, EntryPoint = "getpwnam_r", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int GetPwNamR(string name, Passwd* entry, byte* buffer, nuint size, Passwd** result);

    // Tmds.LibC has no group database lookups.
    [LibraryImport(Name, EntryPoint = "getgrnam_r", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int GetGrNamR(string name, Group* entry, byte* buffer, nuint size, Group** result);

    // Tmds.LibC has no initgroups (QEMU's -runas gives a named user its supplementary groups with it).
    [LibraryImport(Name, EntryPoint = "initgroups", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int InitGroupsRaw(string user, uint group);

    // Tmds.LibC has no prctl (capability bounding set, no_new_privs).
    [LibraryImport(Name, EntryPoint = "prctl", SetLastError = true)]
    private static partial int PrctlRaw(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    // Tmds.LibC has struct sigaction (glibc's layout) but not the function.
    [LibraryImport(Name, EntryPoint = "sigaction", SetLastError = true)]
    private static unsafe partial int SigActionRaw(int signal, sigaction* action, sigaction* old);

    internal const int CLOCK_MONOTONIC = 1; // Tmds.LibC has no clock ids (nor clock_gettime)
    internal const int TFD_NONBLOCK = 0x800; // Tmds.LibC has no timerfd; = O_NONBLOCK on x86-64 and arm64
    internal const int TFD_CLOEXEC = 0x80000; // Tmds.LibC has no timerfd; = O_CLOEXEC on x86-64 and arm64
    internal const int TFD_TIMER_ABSTIME = 1; // Tmds.LibC has no timerfd

    // Tmds.LibC has no clock_gettime (the rate limits' clock, the one timerfd counts on).
    [LibraryImport(Name, EntryPoint = "clock_gettime", SetLastError = true)]
    private static unsafe partial int ClockGetTimeRaw(int clockId, timespec* now);

    // Tmds.LibC has no timerfd family (the rate limits' timer).
    [LibraryImport(Name, EntryPoint = "timerfd_create", SetLastError = true)]
    private static partial int TimerFdCreateRaw(int clockId, int flags);

    // Tmds.LibC has no timerfd family.
    [LibraryImport(Name, EntryPoint = "timerfd_settime", SetLastError = true)]
    private static unsafe partial int TimerFdSetTimeRaw(int fd, int flags, ITimerSpec* value, ITimerSpec* old);
}
