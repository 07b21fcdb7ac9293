namespace Tap.Tests.Linux;

/// <summary>
/// The kinds of fds Tap.Linux creates, counted in <c>/proc/self/fd</c>. Taken before and after a test, equal
/// counts prove nothing we open stays open. Other kinds (pipes of Process.Start, files of the test host) are
/// not ours and are left out so that unrelated activity cannot make the check flaky.
/// </summary>
internal sealed record FdCensus(IReadOnlyDictionary<string, int> Counts)
{
    private static readonly string[] Kinds =
    [
        "/dev/net/tun", "/dev/null", "anon_inode:[eventfd]", "anon_inode:[eventpoll]", "anon_inode:[pidfd]", "socket:",
    ];

    public static FdCensus Take()
    {
        var counts = Kinds.ToDictionary(k => k, _ => 0);
        foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            string target;
            try
            {
                target = new FileInfo(entry).LinkTarget ?? "";
            }
            catch (IOException)
            {
                continue; // closed while we looked (the enumeration's own fd, for one)
            }
            foreach (var kind in Kinds)
            {
                if (target.StartsWith(kind, StringComparison.Ordinal))
                {
                    counts[kind]++;
                }
            }
        }
        return new FdCensus(counts);
    }

    /// <summary>Asserts that no kind has more fds open than at <paramref name="before"/>.</summary>
    public static void AssertNoLeak(FdCensus before)
    {
        var after = Take();
        foreach (var (kind, count) in after.Counts)
        {
            Assert.True(count <= before.Counts[kind], $"{kind}: {before.Counts[kind]} open before, {count} after");
        }
    }

    /// <summary>The targets of this process's fds, by number (for fd-identity checks).</summary>
    public static string? TargetOf(int fd)
    {
        try
        {
            return new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
