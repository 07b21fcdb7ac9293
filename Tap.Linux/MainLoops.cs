namespace Tap.Linux;

/// <summary>Makes the loop <c>--io=</c> asks for, falling back from io_uring to epoll with one warning.</summary>
public static class MainLoops
{
    /// <summary>Where the kernel says whether io_uring may be used (0 yes, 1 only for a group, 2 no).</summary>
    public const string DisabledSysctlPath = "/proc/sys/kernel/io_uring_disabled";

    /// <summary>
    /// The loop for <paramref name="mode"/>. When io_uring is asked for but disabled by the sysctl or refused by the
    /// kernel, <paramref name="warn"/> gets one line saying why and an <see cref="EpollLoop"/> is returned. An io_uring
    /// loop made with <paramref name="oneThread"/> belongs to the calling thread (<see cref="UringLoop.TryCreate"/>).
    /// </summary>
    public static IMainLoop Create(IoMode mode, Action<string> warn, bool oneThread = false)
    {
        ArgumentNullException.ThrowIfNull(warn);
        if (mode == IoMode.Epoll)
        {
            return new EpollLoop();
        }
        string? whyNot = DisabledBySysctl();
        var uring = whyNot is null ? UringLoop.TryCreate(out whyNot, oneThread) : null;
        if (uring is not null)
        {
            return uring;
        }
        warn($"--io=uring: io_uring is not available ({whyNot}); using epoll");
        return new EpollLoop();
    }

    /// <summary>The reason the sysctl forbids io_uring to everyone, or null (value 1 still lets a member of
    /// io_uring_group or a CAP_SYS_ADMIN process in: io_uring_setup then decides).</summary>
    private static string? DisabledBySysctl()
    {
        try
        {
            string value = File.ReadAllText(DisabledSysctlPath).Trim();
            return value == "2" ? $"{DisabledSysctlPath} is 2" : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // an older kernel without the sysctl: io_uring_setup decides
        }
    }
}
