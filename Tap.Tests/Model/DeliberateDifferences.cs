using System.Collections.Immutable;

namespace Tap.Tests.Model;

/// <summary>Messages the reference model uses where QEMU has none (or a wrong one) because it aborts, leaks, truncates or guesses.</summary>
public static class OurMessages
{
    public const string QueuesRange = "Parameter 'queues' expects a value between 1 and 256";
    public const string FdsEmpty = "Parameter 'fds' expects at least one file descriptor";
    public const string FdsTooMany = "Parameter 'fds' expects at most 256 file descriptors";
    public const string VhostfdWithQueues = "vhostfd= is invalid with queues= greater than 1; use fds= and vhostfds=";
    public const string IfnameTooLong = "Parameter 'ifname' expects an interface name of at most 15 bytes";
    public const string BridgeNameInvalid =
        "Parameter 'br' expects a bridge name of 1 to 15 bytes without '/', ':', whitespace or control characters";
    public const string HelperEmpty = "Parameter 'helper' expects a program path or a command line";
    public const string HelperSentNoFd = "bridge helper did not send a file descriptor";

    public static string DuplicateFd(int fd) => $"File descriptor {fd} is given more than once";
}

/// <summary>One rule where our behaviour deliberately differs from QEMU 7.2 / the seed.</summary>
public sealed record DeliberateDifference(string Id, string Rule, string Qemu, string Ours);

/// <summary>
/// The table printed by tests and the README. Ordering of checks in the model:
/// <list type="number">
/// <item>O30 hub peer; branch selection (O31) and QEMU's combination messages.</item>
/// <item>Option-only checks (no side effects): counts, fd-string syntax, duplicates, names, vhostfd-without-vhost.</item>
/// <item>Named fds (all tap fds, then all vhost fds): taken, made non-blocking, probed, vnet consistency.</item>
/// <item>Helper run / taps opened (all queues).</item>
/// <item>Setup script, once.</item>
/// <item>Per-queue setup in queue order: TUNSETSNDBUF, then vhost.</item>
/// </list>
/// </summary>
public static class DeliberateDifferences
{
    public static ImmutableArray<DeliberateDifference> All { get; } =
    [
        new("X4/D-25", "queues=0",
            "nothing created, then assertion `nc' failed (exit 134)",
            $"error \"{OurMessages.QueuesRange}\" before anything is opened"),
        new("D-25", "queues > 256 (default branch)",
            "queues 0..255 attached, then \"could not configure /dev/net/tun (<name>): Argument list too long\" with 256 orphan queues",
            $"error \"{OurMessages.QueuesRange}\" before anything is opened"),
        new("X4", "fds= empty (zero items)",
            "nothing created, then assertion `nc' failed (exit 134)",
            $"error \"{OurMessages.FdsEmpty}\""),
        new("D-25", "fds= with more than 256 items",
            "items beyond 1024 silently ignored (and left open); items 257.. fail late per queue",
            $"error \"{OurMessages.FdsTooMany}\" before any fd is touched"),
        new("D-25", "empty item in fds=/vhostfds= (3::4, :3)",
            "same message, but only when that item's turn comes (earlier queues already created)",
            "\"Invalid file descriptor number ''\" up front; every fd string is checked before any fd is used"),
        new("D-1/X1", "fd closing after a failed per-queue setup (branches A, C, D)",
            "fd closed by the client cleanup, then closed again by the caller (double close)",
            "every fd closed exactly once (TakenFds / opened / received fds)"),
        new("D-4/X2/X3", "fds= failure at item i (non-blocking, probe, consistency, queue setup)",
            "current fd leaked; queues 0..i-1 stay registered; non-blocking failure returns success (abort on hotplug)",
            "all fds checked before any queue exists; on any failure nothing stays registered and every taken fd is closed"),
        new("D-5/X3", "default branch failure at queue i >= 1",
            "queues 0..i-1 stay registered with open fds",
            "all-or-nothing: every opened queue closed, every created device gone"),
        new("D-23", "multiqueue default branch ordering",
            "queue 0 opened, setup script run, then queues 1..N-1 attached by name (each followed by its setup)",
            "all N queues attached first, then the setup script runs once, then per-queue setup (sndbuf, vhost)"),
        new("D-30", "down script after failed initialisation",
            "runs only if the failing client already recorded it (so not when TUNSETSNDBUF fails on queue 0)",
            "runs exactly once, with [downscript, ifname], whenever a failure happens after the setup stage completed (downscript not 'no'/empty)"),
        new("D-2/D-3/X5", "helper fd cannot be made non-blocking (tap helper= and -netdev bridge)",
            "fd leaked",
            "fd closed (unreachable in the model: a received fd is always valid)"),
        new("D-7", "helper sends an fd, then exits non-zero",
            "\"bridge helper failed\", received fd leaked",
            "\"bridge helper failed\", received fd closed"),
        new("D-8", "helper exits 0 without sending (EOF)",
            "fd 0 used: stdin set non-blocking, \"Unable to query TUNGETIFF on FD 0: Inappropriate ioctl for device\", then fd 0 closed",
            $"error \"{OurMessages.HelperSentNoFd}\"; fd 0 untouched"),
        new("D-8", "helper sends a data byte without an fd, exits 0",
            "garbage fd value; observed \"failed to recv file descriptor: Inappropriate ioctl for device\"",
            $"error \"{OurMessages.HelperSentNoFd}\""),
        new("D-19", "helper= text containing a space or tab",
            "run as /bin/sh -c \"<text> --use-vnet --fd=N --br=<br>\" with <br> unquoted (shell injection)",
            "no shell: the text is split on spaces/tabs into argv words, then --use-vnet, --fd=N and (unless the text contains --br=) --br=<br> are appended as separate words"),
        new("D-19", "bridge name (br=, or br0) in helper= and -netdev bridge",
            "any text passed on (and through the shell in command mode)",
            $"error \"{OurMessages.BridgeNameInvalid}\" when empty, longer than 15 bytes, or containing '/', ':', whitespace or control characters"),
        new("—", "helper= empty or only whitespace",
            "exec of \"\" fails, \"bridge helper failed\" (whitespace-only: sh runs \" --use-vnet ...\")",
            $"error \"{OurMessages.HelperEmpty}\" before anything runs"),
        new("D-20", "ifname= longer than 15 bytes",
            "silently truncated to 15 bytes by the kernel (two VMs can fight over one device)",
            $"error \"{OurMessages.IfnameTooLong}\""),
        new("D-20", "downscript path longer than 1023 bytes / ifname argument longer than 127",
            "silently truncated; the truncated path is executed at teardown",
            "used in full (no fixed buffers)"),
        new("D-26", "vhostfd= together with queues > 1",
            "the same vhost fd given to every queue (second VHOST_SET_OWNER fails with EBUSY)",
            $"error \"{OurMessages.VhostfdWithQueues}\""),
        new("X6/D-9", "vhostfd cannot be made non-blocking",
            "\"<id>: Can't use file descriptor <TAP fd>: <err>\"; vhost fd leaked",
            "\"<id>: Can't use file descriptor <VHOST fd>: <err>\"; vhost fd closed"),
        new("D-9", "vhost fd after any later failure",
            "leaked when vhost_net_init failed early",
            "closed (it is in TakenFds when it came from vhostfd=/vhostfds=)"),
        new("X7/O40", "vhost open/lookup/init failure without vhostforce (QEMU 7.2)",
            "warning, client deleted, success returned, then assertion abort (exit 134)",
            "hard error with the same text as the warning (as the seed does)"),
        new("—", "the same fd number named twice (fds=3:3, fd=3,vhostfd=3, fds=3:4,vhostfds=4:5)",
            "two owners of one fd; double close at teardown",
            "error \"File descriptor <n> is given more than once\" (numeric fd strings only)"),
        new("—", "precedence of option-only errors",
            "vhostfd(s)-without-vhost, vhostfd syntax and later fds= items are only checked when their queue is set up",
            "all option-only checks (syntax, counts, duplicates, names, vhostfd without vhost) run before any fd is touched or any process started; vhost fds are checked (non-blocking) before the helper runs or taps are opened"),
    ];
}
