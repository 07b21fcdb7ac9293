using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary><c>tapnet --realtime</c>: the forwarding loop runs SCHED_FIFO, the programs it starts do not.</summary>
[Collection(LinuxCollection.Name)]
public sealed class RealtimeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>Fields 40 and 41 of /proc/PID/stat (after the command name): rt_priority and policy.</summary>
    private static (int Priority, int Policy) Scheduling(string stat)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (int.Parse(fields[37], System.Globalization.CultureInfo.InvariantCulture), int.Parse(fields[38], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact(DisplayName = "tapnet --realtime=3: the loop thread is SCHED_FIFO 3 while forwarding; the down script it runs is SCHED_OTHER")]
    public void LoopIsFifoChildrenAreNot()
    {
        if (!LinuxTestGate.CanUseTun(output))
        {
            return;
        }
        using var ns = TestNetns.Create();
        using var dir = new TempDir();
        string log = dir.File_("down.log");
        string down = dir.Write("down.sh", $"#!/bin/sh\ncat /proc/$$/stat > {log}\n");
        using var tapnet = TapnetProcess.Start(ns.Name, "--realtime=3", "-netdev", $"tap,id=t0,ifname=rt0,script=no,downscript={down}");
        var deadline = DateTime.UtcNow + Limit;
        (int Priority, int Policy) loop = default;
        while (DateTime.UtcNow < deadline && loop.Policy != 1)
        {
            Assert.False(tapnet.HasExited, tapnet.Stderr);
            Thread.Sleep(50);
            loop = Scheduling(File.ReadAllText($"/proc/{tapnet.Pid}/stat"));
        }
        Assert.Equal((3, 1), loop);   // SCHED_FIFO is policy 1
        Assert.Equal(0, tapnet.Terminate(Limit));
        Assert.Equal((0, 0), Scheduling(File.ReadAllText(log)));   // SCHED_RESET_ON_FORK: SCHED_OTHER, priority 0
    }

    [Theory(DisplayName = "tapnet --realtime: a priority outside 1-99 is a usage error, exit 2")]
    [InlineData("--realtime=0")]
    [InlineData("--realtime=100")]
    [InlineData("--realtime=x")]
    public void BadPriority(string option)
    {
        var (code, _, stderr) = TapnetProcess.RunToEnd(null, Limit, option, "-netdev", "tap,id=t0");
        Assert.Equal(2, code);
        Assert.Contains($"{option}: expects a SCHED_FIFO priority from 1 to 99", stderr, StringComparison.Ordinal);
    }
}
