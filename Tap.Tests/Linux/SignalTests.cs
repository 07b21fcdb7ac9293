using Tap.Core.Abi;
using Tap.Linux.Interop;
using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary>
/// tapnet under signals as a user's terminal or service manager sends them: SIGINT, SIGTERM and SIGHUP shut it
/// down cleanly as QEMU does (exit 0, the down script once, no tap left); the signals a process gets in passing
/// (SIGPIPE, SIGWINCH, SIGCHLD, SIGURG, SIGCONT) leave forwarding untouched.
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class SignalTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    [SkippableTheory(DisplayName = "R40/S7: SIGINT, SIGTERM and SIGHUP stop tapnet with exit 0, the down script run once and no tap left")]
    [InlineData("INT")]
    [InlineData("TERM")]
    [InlineData("HUP")]
    public void TerminationSignal(string signal) => StopsCleanly(signal, ignoredAtStart: null);

    /// <summary>A script's background job starts with SIGINT ignored (and nohup's child with SIGHUP); .NET would
    /// leave such a signal ignored, so tapnet never stopped. QEMU 7.2 takes all three back and stops cleanly (checked:
    /// started under <c>trap '' INT HUP</c>, it exits 0 on either), and so must tapnet.</summary>
    [SkippableTheory(DisplayName = "R40/S7: SIGINT, SIGTERM or SIGHUP ignored when tapnet starts (a background job, nohup) still stop it as QEMU: exit 0, the down script once")]
    [InlineData("INT")]
    [InlineData("TERM")]
    [InlineData("HUP")]
    public void TerminationSignalIgnoredAtStart(string signal) => StopsCleanly(signal, ignoredAtStart: "INT TERM HUP");

    /// <summary>Started as the test runner's dispositions have it, or with <paramref name="ignoredAtStart"/>
    /// ignored, in which case tapnet must have taken the three back before the signal.</summary>
    private void StopsCleanly(string signal, string? ignoredAtStart) =>
        CleanStop.Check(output, "sig0", signal,
            (ns, args) => ignoredAtStart is null
                ? TapnetProcess.Start(ns, args)
                : TapnetProcess.StartIgnoring(ns, ignoredAtStart, args),
            tapnet =>
            {
                if (ignoredAtStart is not null)
                {
                    Assert.Equal(0, IgnoredMask(tapnet.Pid) & 0b100_0000_0000_0011); // bits 1, 2, 15 (from 1): HUP, INT, TERM
                }
            });

    /// <summary>The wrapper really started tapnet with the three ignored, or the test above proves nothing: before
    /// tapnet runs, the shell's own process shows them in SigIgn.</summary>
    [SkippableFact(DisplayName = "R40/S7: the ignoring start really ignores: a shell started that way shows INT, TERM and HUP in SigIgn")]
    public void IgnoringStartIgnores()
    {
        LinuxTestGate.RequireTun(output);
        var (code, stdout, stderr) = HostCommand.TryRun("sh", "-c",
            "trap '' INT TERM HUP; exec grep SigIgn /proc/self/status");
        Assert.True(code == 0, stderr);
        long mask = Convert.ToInt64(stdout.Split(':')[1].Trim(), 16);
        Assert.Equal(0b100_0000_0000_0011, mask & 0b100_0000_0000_0011);
    }

    /// <summary>The SigIgn mask of <paramref name="pid"/> (bit n-1 for signal n).</summary>
    private static long IgnoredMask(int pid)
    {
        string line = File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return Convert.ToInt64(line["SigIgn:".Length..].Trim(), 16);
    }

    [SkippableFact(DisplayName = "Signals in passing (SIGPIPE, SIGWINCH, SIGCHLD, SIGURG, SIGCONT) all through UDP forwarding: every datagram arrives, tapnet keeps running")]
    public async Task SignalStormDuringForwarding()
    {
        LinuxTestGate.RequireTun(output);
        LinuxTestGate.RequireFile(output, "/usr/bin/python3", "python3");
        const int Datagrams = 2000;
        using var home = TestNetns.Create();
        using var a = TestNetns.Create();
        using var b = TestNetns.Create();
        using var tapnet = TapnetProcess.Start(home.Name, "-netdev", "tap,id=t0,ifname=sga,script=no,downscript=no",
            "-netdev", "tap,id=t1,ifname=sgb,script=no,downscript=no",
            "-netdev", "hubport,id=h0,hubid=0,netdev=t0", "-netdev", "hubport,id=h1,hubid=0,netdev=t1");
        tapnet.WaitForLinks(home, Limit, "sga", "sgb");
        LinkLocal.MoveTap(home, "sga", a, "169.254.31.1/24");
        LinkLocal.MoveTap(home, "sgb", b, "169.254.31.2/24");

        var receiver = Task.Run(() => b.Exec("python3", "-c",
            "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.setsockopt(socket.SOL_SOCKET,socket.SO_RCVBUF,4<<20)\n" +
            "s.bind(('169.254.31.2',7779))\ns.settimeout(5)\nseen=set()\ntry:\n    while len(seen)<" + Datagrams + ":\n" +
            "        d,_=s.recvfrom(2048)\n        if d[:8].isdigit(): seen.add(int(d[:8]))\nexcept socket.timeout:\n    pass\nprint(len(seen))\n"));
        b.WaitListening("udp", 7779, Limit);

        using var stop = new CancellationTokenSource();
        var storm = Task.Run(() =>
        {
            int[] signals = [13, 28, 17, 23, 18]; // SIGPIPE, SIGWINCH, SIGCHLD, SIGURG, SIGCONT on x86-64
            int rounds = 0;
            // Until the traffic is over (bounded: 20,000 rounds at 1 ms or more each).
            for (; rounds < 20_000 && !stop.IsCancellationRequested; rounds++)
            {
                foreach (int s in signals)
                {
                    Assert.Equal(Errno.None, Libc.Kill(tapnet.Pid, s));
                }
                Thread.Sleep(1);
            }
            return rounds;
        });
        a.Exec("python3", "-c",
            "import socket,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n" +
            "for _ in range(5):\n    s.sendto(b'warm',('169.254.31.2',7779)); time.sleep(0.02)\n" +
            "for i in range(" + Datagrams + "):\n    s.sendto(b'%08d' % i + b'x'*200,('169.254.31.2',7779))\n    if i % 50 == 49: time.sleep(0.002)\n");
        int received = int.Parse((await receiver.WaitAsync(TimeSpan.FromSeconds(30))).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        stop.Cancel();
        int rounds = await storm.WaitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"{received} of {Datagrams} datagrams under {rounds} rounds of 5 signals");

        Assert.Equal(Datagrams, received);
        Assert.False(tapnet.HasExited, $"tapnet exited during the storm: {tapnet.Stderr}");
        Assert.Equal(0, tapnet.Terminate(Limit));
        Assert.DoesNotContain("Unhandled", tapnet.Stderr, StringComparison.Ordinal);
    }
}
