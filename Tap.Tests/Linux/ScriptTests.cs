using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Linux;
using Tap.Linux.Interop;
using Tmds.Linux;
using Xunit.Abstractions;

namespace Tap.Tests.Linux;

[Collection(LinuxCollection.Name)]
public sealed class ScriptTests(ITestOutputHelper output)
{
    [SkippableFact(DisplayName = "S3: the script gets argv [path, ifname], fds 0, 1, 2 and the tap only, no blocked or ignored signals")]
    public void ScriptSeesOnlyTheTap()
    {
        var kernel = RealKernel.Tun(output);
        using var dir = new TempDir();
        string argvOut = dir.File_("argv");
        string fdsOut = dir.File_("fds");
        string sigOut = dir.File_("signals");
        var script = dir.Write("up.sh", $"""
            #!/bin/sh
            echo "$0 $1" > {argvOut}
            grep -E '^Sig(Blk|Ign)' /proc/self/status > {sigOut}
            exec ls -l /proc/self/fd > {fdsOut}
            """);
        var (outcome, ifname) = kernel.InNamespace((_, rig) =>
        {
            // An extra fd of ours that must not reach the child.
            Assert.True(rig.Os.OpenTunControl().Ok);
            var (fd, name) = rig.OpenTap();
            return (rig.Os.RunScript(script, name, fd), name);
        });

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Equal($"{script} {ifname}", File.ReadAllText(argvOut).Trim());
        // Classic signals (1-31: bits 0-30) all default and unblocked; .NET itself ignores SIGPIPE. glibc's
        // posix_spawn leaves its two internal real-time signals (32, 33) ignored and refuses to reset them;
        // glibc programs reinstall their handlers at start-up, so only the classic range is asserted.
        var masks = File.ReadAllLines(sigOut).ToDictionary(l => l.Split(':')[0], l => Convert.ToUInt64(l.Split('\t')[1], 16));
        Assert.Equal(0UL, masks["SigBlk"] & 0x7fff_ffffUL);
        Assert.Equal(0UL, masks["SigIgn"] & 0x7fff_ffffUL);

        // "lrwx------ 1 root root 64 ... 3 -> /dev/net/tun"; ls's own directory fd points into /proc.
        var fds = File.ReadAllLines(fdsOut)
            .Where(l => l.Contains(" -> ", StringComparison.Ordinal))
            .Select(l => l.Split(" -> "))
            .Where(p => !p[1].StartsWith("/proc/", StringComparison.Ordinal))
            .ToDictionary(p => int.Parse(p[0][(p[0].LastIndexOf(' ') + 1)..]), p => p[1]);
        output.WriteLine(string.Join(", ", fds.Select(kv => $"{kv.Key}={kv.Value}")));
        Assert.Equal([0, 1, 2, 3], fds.Keys.Order());
        Assert.Equal("/dev/net/tun", fds[3]);
    }

    public static TheoryData<string, string?, ChildEnd, int, int> Outcomes => new()
    {
        // name, script text (null: no file), expected end, code or signal, QEMU's raw wait status (S5)
        { "exit 0", "#!/bin/sh\nexit 0\n", ChildEnd.Exited, 0, 0 },
        { "exit 3", "#!/bin/sh\nexit 3\n", ChildEnd.Exited, 3, 768 },
        { "SIGKILL", "#!/bin/sh\nkill -9 $$\n", ChildEnd.Signaled, 9, 9 },
        { "missing", null, ChildEnd.ExecFailed, 1, 256 },
        { "not executable", "#!/bin/sh\nexit 0\n", ChildEnd.ExecFailed, 1, 256 },
        { "no #!", "exit 0\n", ChildEnd.ExecFailed, 1, 256 },
    };

    [SkippableTheory(DisplayName = "S5: script exit codes, signals and exec failures become the right ChildOutcome")]
    [MemberData(nameof(Outcomes))]
    public void ScriptOutcome(string name, string? text, ChildEnd end, int code, int rawStatus)
    {
        var kernel = RealKernel.Spawn(output);
        using var dir = new TempDir();
        kernel.OnHost(rig =>
        {
            string path = text is null ? dir.File_("absent.sh") : dir.Write("s.sh", text, executable: name != "not executable");
            var outcome = rig.Os.RunScript(path, "tap0", NullFd(rig));
            Assert.Equal((end, code, rawStatus), (outcome.End, outcome.Code, outcome.RawWaitStatus));
            var expectedErrno = name switch
            {
                "missing" => Errno.ENOENT,
                "not executable" => Errno.EACCES,
                "no #!" => Errno.ENOEXEC,
                _ => Errno.None,
            };
            Assert.Equal(expectedErrno, outcome.Error);
        });
    }

    [SkippableFact(DisplayName = "D-14: a script that outlives the timeout is killed, reaped and reported as TimedOut")]
    public void ScriptTimeout()
    {
        var kernel = RealKernel.Spawn(output);
        using var dir = new TempDir();
        kernel.OnHost(rig =>
        {
            var path = dir.Write("hang.sh", "#!/bin/sh\nexec sleep 30\n");
            long start = Environment.TickCount64;
            var outcome = rig.Os.RunScript(path, "tap0", NullFd(rig));
            Assert.Equal(ChildOutcome.Timeout(), outcome);
            Assert.InRange(Environment.TickCount64 - start, 250, 10_000);
        }, childTimeout: TimeSpan.FromMilliseconds(300));
    }

    [SkippableFact(DisplayName = "D-12: waiting for a pid that is not our child ends at once with ECHILD instead of spinning")]
    public void WaitForNonChild()
    {
        LinuxTestGate.RequireSpawn(output);
        var outcome = ChildProcess.Wait(Environment.ProcessId, ChildProcess.DeadlineAfter(TimeSpan.FromSeconds(5)));
        Assert.Equal(ChildOutcome.WaitFailure(Errno.ECHILD), outcome);
    }

    [SkippableFact(DisplayName = "S1: a keep-open fd that is not open is a spawn failure with EBADF; nothing runs")]
    public void ScriptWithBadFd()
    {
        RealKernel.Spawn(output).OnHost(rig =>
            Assert.Equal(ChildOutcome.SpawnFailure(Errno.EBADF), rig.Os.RunScript("/bin/true", "tap0", new Fd(987))));
    }

    private static Fd NullFd(LinuxHost rig)
    {
        Assert.Equal(Errno.None, Libc.Open("/dev/null", LibC.O_RDWR | LibC.O_CLOEXEC, out var handle));
        return rig.Os.Adopt(handle);
    }
}
