using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary>
/// tapnet's loop runs on an fd table of its own (README, Performance: why): while it runs, the loop's thread (tapnet's
/// main thread) holds the taps, and no other thread of the process does, neither through a shared table nor through
/// copies left in the table the others keep. Seen from outside, through <c>/proc/PID/task/TID/fd</c>, which lists the
/// table each thread uses.
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class OwnFdTableTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    [SkippableFact(DisplayName = "the loop's thread alone holds the taps while tapnet runs: no other thread's table has them")]
    public void LoopAloneHoldsTheTaps()
    {
        LinuxTestGate.RequireTun(output);
        using var ns = TestNetns.Create();
        using var tapnet = TapnetProcess.Start(ns.Name,
            "-netdev", "tap,id=t0,ifname=oft0,script=no,downscript=no",
            "-netdev", "tap,id=t1,ifname=oft1,script=no,downscript=no",
            "-netdev", "hubport,id=h0,hubid=0,netdev=t0", "-netdev", "hubport,id=h1,hubid=0,netdev=t1");
        tapnet.WaitForLinks(ns, Limit, "oft0", "oft1");

        // The table is taken when the loop starts, just after the links exist: wait for that, bounded.
        var deadline = DateTime.UtcNow + Limit;
        Dictionary<int, int> tunFds;
        while (true)
        {
            Assert.False(tapnet.HasExited, $"tapnet exited: {tapnet.Stderr}");
            tunFds = TunFdsByThread(tapnet.Pid);
            bool loopHasBoth = tunFds.GetValueOrDefault(tapnet.Pid) == 2;
            bool othersHaveNone = tunFds.Where(t => t.Key != tapnet.Pid).All(t => t.Value == 0);
            if (loopHasBoth && othersHaveNone)
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline,
                $"within {Limit.TotalSeconds} s, /dev/net/tun fds by thread (the loop's is {tapnet.Pid}) were still " +
                string.Join(", ", tunFds.Select(t => $"{t.Key}: {t.Value}")));
            Thread.Sleep(50);
        }
        Assert.True(tunFds.Count > 1, "a .NET process has threads besides its loop; this run listed only one");
        Assert.Equal(0, tapnet.Terminate(Limit));
    }

    /// <summary>Per thread of <paramref name="pid"/>, how many of its table's fds are /dev/net/tun.</summary>
    private static Dictionary<int, int> TunFdsByThread(int pid)
    {
        var result = new Dictionary<int, int>();
        foreach (string task in Directory.GetDirectories($"/proc/{pid}/task"))
        {
            int tid = int.Parse(Path.GetFileName(task), System.Globalization.CultureInfo.InvariantCulture);
            try
            {
                result[tid] = Directory.GetFiles(Path.Combine(task, "fd"))
                    .Count(fd => new FileInfo(fd).LinkTarget == "/dev/net/tun");
            }
            catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException or IOException)
            {
                // the thread ended while it was listed
            }
        }
        return result;
    }
}
