namespace Tap.Core.Init;

/// <summary>
/// Messages for the cases where QEMU aborts, leaks, truncates or runs the wrong thing (known-defects.md,
/// netdev-options.md §9) and we report an error instead. QEMU's own messages are written where they are used.
/// </summary>
public static class InitMessages
{
    /// <summary>X4: QEMU creates nothing and then aborts on an assertion.</summary>
    public const string QueuesZero = "queues=0 is invalid: a tap needs at least one queue";

    /// <summary>X4: QEMU creates nothing and then aborts on an assertion.</summary>
    public const string FdsEmpty = "fds= is empty: give at least one file descriptor";

    /// <summary>D-25: the kernel refuses the 257th queue, late and per queue.</summary>
    public static string TooManyQueues(uint queues) => $"queues={queues} is more than the kernel's limit of 256 queues per tap";

    /// <summary>D-25: QEMU ignores items past 1024 and the kernel takes at most 256.</summary>
    public static string TooManyFds(int count) => $"fds= lists {count} file descriptors, more than the kernel's limit of 256 queues per tap";

    /// <summary>D-26: one vhost fd cannot serve several queues.</summary>
    public const string VhostfdWithQueues = "vhostfd= serves one queue only; with queues= greater than 1 use fds= and vhostfds=";

    /// <summary>D-20: QEMU and the kernel silently truncate the name.</summary>
    public static string IfnameTooLong(string ifname) => $"ifname '{ifname}' is longer than 15 bytes";

    /// <summary>D-19: bridge names are pasted into the helper's arguments; refuse what no bridge can be called.</summary>
    public static string BadBridgeName(string br) => $"bridge name '{br}' is invalid: use 1 to 15 bytes without '/', ':', whitespace or control characters";

    /// <summary>D-8: QEMU takes end-of-stream as fd 0 (stdin).</summary>
    public const string HelperSentNoFd = "bridge helper did not send a file descriptor";

    /// <summary>O50: QEMU asserts.</summary>
    public static string NetdevHasPeer(string name) => $"netdev '{name}' is already in use";

    /// <summary>O52/Q27: QEMU recurses until it crashes.</summary>
    public static string HubLoop(string name, int hubId) => $"netdev '{name}' is a port of hub {hubId} itself";
}
