using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary>
/// R40/S7 as a user sees a clean stop: tapnet with one tap and a down script that logs its argument, started in a
/// namespace of the test's own (however the case needs it started), sent a signal once the tap exists; it must exit 0
/// with the down script run once for that tap and the tap gone.
/// </summary>
internal static class CleanStop
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    /// <param name="output">The test's output: tapnet's stderr goes there.</param>
    /// <param name="link">The tap's name.</param>
    /// <param name="signal">The signal's name as kill(1) takes it (TERM, INT, HUP).</param>
    /// <param name="start">Starts tapnet in the namespace (first argument) with the arguments given.</param>
    /// <param name="whileRunning">Checks on the running process, before the signal.</param>
    /// <param name="moreArgs">tapnet arguments after the -netdev.</param>
    public static void Check(ITestOutputHelper output, string link, string signal,
        Func<string, string[], TapnetProcess> start, Action<TapnetProcess>? whileRunning = null,
        params string[] moreArgs)
    {
        LinuxTestGate.RequireTun(output);
        using var ns = TestNetns.Create();
        using var dir = new TempDir();
        string log = Path.Combine(dir.Path, "down.log");
        var down = dir.Write("down.sh", $"#!/bin/sh\necho \"$1\" >> {log}\n");
        using var tapnet = start(ns.Name, ["-netdev", $"tap,id=t0,ifname={link},script=no,downscript={down}", .. moreArgs]);
        tapnet.WaitForLinks(ns, Limit, link);
        whileRunning?.Invoke(tapnet);

        HostCommand.Run("kill", "-" + signal, tapnet.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        int code = tapnet.Wait(Limit);

        output.WriteLine(tapnet.Stderr);
        Assert.Equal(0, code);
        Assert.Equal([link], File.ReadAllLines(log));
        Assert.False(ns.HasLink(link), "the tap outlived tapnet");
    }
}
