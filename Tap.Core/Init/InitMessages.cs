namespace Tap.Core.Init;

/// <summary>
/// Messages for the cases where QEMU aborts, leaks, truncates or runs the wrong thing (known-defects.md,
/// netdev-options.md §9) and we report an error instead. QEMU's own messages are written where they are used.
/// </summary>
public static class InitMessages
{
    /// <summary>
    /// X4 (queues=0: QEMU creates nothing, then aborts) and D-25 (the kernel refuses queue 257, late).
    /// </summary>
    public const string QueuesRange = "Parameter 'queues' expects a value between 1 and 256";

    /// <summary>X4: QEMU creates nothing and then aborts on an assertion.</summary>
    public const string FdsEmpty = "Parameter 'fds' expects at least one file descriptor";

    /// <summary>D-25: QEMU ignores items past 1024 and the kernel takes at most 256.</summary>
    public const string FdsTooMany = "Parameter 'fds' expects at most 256 file descriptors";

    /// <summary>D-26: one vhost fd cannot serve several queues.</summary>
    public const string VhostfdWithQueues = "vhostfd= is invalid with queues= greater than 1; use fds= and vhostfds=";

    /// <summary>D-20: QEMU and the kernel silently truncate the name.</summary>
    public const string IfnameTooLong = "Parameter 'ifname' expects an interface name of at most 15 bytes";

    /// <summary>D-19: bridge names go onto the helper's command line; refuse what no bridge can be called.</summary>
    public const string BridgeNameInvalid =
        "Parameter 'br' expects a bridge name of 1 to 15 bytes without '/', ':', whitespace or control characters";

    /// <summary>QEMU would try to run an empty program (or a shell with no command).</summary>
    public const string HelperEmpty = "Parameter 'helper' expects a program path or a command line";

    /// <summary>D-8: QEMU takes end-of-stream as fd 0 (stdin).</summary>
    public const string HelperSentNoFd = "bridge helper did not send a file descriptor";

    /// <summary>Two owners of one fd would mean a double close.</summary>
    public static string DuplicateFd(int fd) => $"File descriptor {fd} is given more than once";

    /// <summary>O50: QEMU asserts.</summary>
    public static string NetdevHasPeer(string name) => $"netdev '{name}' is already in use";

    /// <summary>O52/Q27: QEMU recurses until it crashes.</summary>
    public static string HubLoop(string name, int hubId) => $"netdev '{name}' is a port of hub {hubId} itself";
}
