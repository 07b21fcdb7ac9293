using Tap.Tests.Linux;
using Xunit.Abstractions;

namespace Tap.Tests.Cli;

/// <summary>tapnet demo driven as a user runs it: the real binary, its output and exit status.</summary>
[Collection(LinuxCollection.Name)]
public sealed class DemoTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [SkippableFact(DisplayName = "demo --sim: says it ran in the simulator, prints what crossed, exits 0")]
    public void Simulated()
    {
        var (code, stdout, stderr) = TapnetProcess.RunToEnd(null, Limit, "demo", "--sim");
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, code);
        Assert.Contains("running the same topology in the simulator", stdout, StringComparison.Ordinal);
        Assert.Contains("2000 datagrams of 512 B sent, 2000 received (simulated)", stdout, StringComparison.Ordinal);
        Assert.Contains("4194304 B sent, 4194304 B received", stdout, StringComparison.Ordinal);
        Assert.EndsWith("demo: ok (simulated)", stdout.TrimEnd(), StringComparison.Ordinal);
    }

    [SkippableFact(DisplayName = "demo on this host: two namespaces, UDP and TCP cross intact, nothing is left behind")]
    public void Real()
    {
        LinuxTestGate.RequireTun(output);
        var (code, stdout, stderr) = TapnetProcess.RunToEnd(null, Limit, "demo");
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, code);
        Assert.Contains("2000 datagrams of 512 B sent, 2000 received", stdout, StringComparison.Ordinal);
        Assert.Contains("sha256 matches", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("tapnet-demo-", HostCommand.Run("ip", "netns", "list"), StringComparison.Ordinal);
    }

    [SkippableTheory(DisplayName = "demo: SIGINT or SIGHUP at any moment leaves no namespace or device behind")]
    [InlineData("INT", 130)]
    [InlineData("HUP", 129)]
    public async Task Interrupted(string signal, int killedBeforeHandlers)
    {
        LinuxTestGate.RequireTun(output);
        foreach (int delayMs in new[] { 150, 400, 700 })
        {
            using var p = TapnetProcess.Start(null, "demo");
            await Task.Delay(delayMs);
            HostCommand.TryRun("kill", "-" + signal, p.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            int code = p.Wait(Limit);
            output.WriteLine($"after {delayMs} ms: exit {code}\n{p.Stdout}{p.Stderr}");
            // 130: stopped and cleaned up; 0: finished first; the signal's own status: it came before the runtime
            // was up, when nothing existed yet to clean up.
            Assert.True(code == 0 || code == 130 || code == killedBeforeHandlers, $"exit status {code}");
            Assert.DoesNotContain("tapnet-demo-", HostCommand.Run("ip", "netns", "list"), StringComparison.Ordinal);
            Assert.DoesNotContain("tnd", HostCommand.Run("ip", "-br", "link"), StringComparison.Ordinal);
        }
    }

    [SkippableFact(DisplayName = "demo: --help and a bad option")]
    public void Usage()
    {
        var (code, stdout, _) = TapnetProcess.RunToEnd(null, Limit, "demo", "--help");
        Assert.Equal(0, code);
        Assert.StartsWith("usage: tapnet demo", stdout, StringComparison.Ordinal);
        var (bad, _, err) = TapnetProcess.RunToEnd(null, Limit, "demo", "--nope");
        Assert.Equal(2, bad);
        Assert.Contains("invalid option '--nope'", err, StringComparison.Ordinal);
    }
}
