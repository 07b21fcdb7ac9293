using System.Diagnostics;
using System.Text.RegularExpressions;
using Tap.Tests.Linux;

namespace Tap.Tests.Conformance;

/// <summary>How a program ended after its -netdev arguments were processed.</summary>
public enum RunOutcome
{
    /// <summary>Reached its main loop with its netdevs up (it waits in epoll_wait/ppoll, no child left); stopped by us with SIGTERM.</summary>
    Running,
    /// <summary>Exited with status 1 (an init error).</summary>
    Error,
    /// <summary>Killed by SIGABRT (an assertion), status 134.</summary>
    Abort,
    /// <summary>Anything else.</summary>
    Other,
}

/// <summary>One program run under strace in a fresh namespace: outcome, the error message, the TUN ioctls it issued.</summary>
public sealed record ConformanceRun(RunOutcome Outcome, int ExitCode, string Message, IReadOnlyList<string> TunIoctls, string Stderr)
{
    private static readonly Regex OpenTun = new(@"^(\d+)\s+openat\(AT_FDCWD, ""/dev/net/tun"", [^)]*\) = (\d+)", RegexOptions.Compiled);
    private static readonly Regex Ioctl = new(@"^(\d+)\s+ioctl\((\d+), (TUN[A-Z_]+)(?:, ([^)]*))?\)\s*= (-?\d+)(?: (E[A-Z]+))?", RegexOptions.Compiled);
    private static readonly Regex CloseCall = new(@"^(\d+)\s+close\((\d+)\)", RegexOptions.Compiled);

    /// <summary>Program prefixes stripped from stderr lines.</summary>
    public const string QemuName = "qemu-system-x86_64";
    public const string TapnetName = "tapnet";

    /// <summary>
    /// Runs <paramref name="program"/> (<c>qemu</c> or <c>tapnet</c>) with the -netdev <paramref name="netdevs"/> in
    /// namespace <paramref name="netns"/>, optionally through <paramref name="wrapper"/> (a program that execs the rest).
    /// </summary>
    public static ConformanceRun Execute(string program, IReadOnlyList<string> netdevs, string netns, string workDir, string? wrapper = null, IReadOnlyList<string>? tapnetOptions = null)
    {
        string trace = Path.Combine(workDir, $"{program}.strace");
        var args = new List<string> { "netns", "exec", netns, "strace", "-f", "-qq", "-e", "trace=openat,ioctl,close", "-o", trace };
        if (wrapper is not null)
        {
            args.Add("/usr/bin/python3");
            args.Add(wrapper);
        }
        if (program == "qemu")
        {
            args.AddRange(new[] { "/usr/bin/qemu-system-x86_64", "-M", "none", "-display", "none", "-nodefaults" });
        }
        else
        {
            args.AddRange(new[] { "dotnet", TapnetProcess.Dll });
            args.AddRange(tapnetOptions ?? []);
            // The loop TAPNET_IO names (epoll when unset), as for every tapnet the Linux tests start.
            if (!(tapnetOptions ?? []).Any(o => o.StartsWith("--io", StringComparison.Ordinal)))
            {
                args.Add(LinuxHost.IoFromEnvironment() == Tap.Linux.IoMode.Uring ? "--io=uring" : "--io=epoll");
            }
        }
        foreach (var n in netdevs)
        {
            args.Add("-netdev");
            args.Add(n);
        }

        var info = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = workDir };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        using var p = Process.Start(info)!;
        var stderrTask = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();

        // Decided by what the program does, never by how long it took: it either exits, or its netdevs are up and
        // it waits in its main loop (QEMU in ppoll, tapnet in epoll_wait) with no helper or script of its own left.
        bool exited;
        int waiting;
        try
        {
            (exited, waiting) = WaitForExitOrMainLoop(p);
        }
        catch
        {
            // Whatever went wrong in the test's own waiting, the program must not outlive it.
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            throw;
        }
        var outcome = RunOutcome.Other;
        if (!exited)
        {
            outcome = RunOutcome.Running;
            HostCommand.TryRun("kill", "-TERM", waiting.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!p.WaitForExit(StopLimit))
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
                throw new TimeoutException($"{program} did not stop within {StopLimit.TotalSeconds} s of SIGTERM");
            }
        }
        p.WaitForExit();
        string stderr = stderrTask.Result;
        if (outcome != RunOutcome.Running)
        {
            outcome = p.ExitCode switch
            {
                1 => RunOutcome.Error,
                134 => RunOutcome.Abort,
                _ => RunOutcome.Other,
            };
        }
        return new ConformanceRun(outcome, p.ExitCode, ErrorMessage(stderr, netdevs), ParseTunIoctls(File.Exists(trace) ? File.ReadAllLines(trace) : []), stderr);
    }

    /// <summary>How long start-up may take at most: the .NET runtime, python helpers and scripts under strace on a
    /// loaded 2-core machine take a few seconds; D-14's own child limit is 30 s.</summary>
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(10);

    /// <summary>epoll_wait, ppoll, epoll_pwait, io_uring_enter, epoll_pwait2 on x86-64: where a main loop waits.
    /// Not poll(2): tapnet waits for a script or helper in poll on its pidfd, which is start-up, not the loop.</summary>
    private static readonly HashSet<long> MainLoopWaits = [232, 271, 281, 426, 441];

    /// <summary>
    /// Waits until the program strace runs has exited (true) or sleeps in a main-loop wait with no children of its
    /// own (false, with its pid). Fails, naming where the program was, when neither happens within the start limit.
    /// </summary>
    private static (bool Exited, int Program) WaitForExitOrMainLoop(Process strace)
    {
        var deadline = DateTime.UtcNow + StartLimit;
        string last = "not started";
        while (DateTime.UtcNow < deadline)
        {
            if (strace.WaitForExit(TimeSpan.FromMilliseconds(50)))
            {
                return (true, 0);
            }
            foreach (int program in DirectChildren(strace.Id))
            {
                last = MainThreadState(program);
                // /proc/PID/syscall says "running" when the thread is on a CPU, which can change between the reads.
                if (last.StartsWith("S ", StringComparison.Ordinal)
                    && long.TryParse(last.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture, out long syscall)
                    && MainLoopWaits.Contains(syscall)
                    && DirectChildren(program).Count == 0)
                {
                    return (false, program);
                }
            }
        }
        strace.Kill(entireProcessTree: true);
        strace.WaitForExit();
        throw new TimeoutException($"the program neither exited nor reached its main loop within {StartLimit.TotalSeconds} s (main thread: {last})");
    }

    /// <summary><c>STATE SYSCALL</c> of the main thread (for example <c>S 232</c>), or what /proc said instead.</summary>
    private static string MainThreadState(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            char state = stat[stat.LastIndexOf(')') + 2];
            string syscall = File.ReadAllText($"/proc/{pid}/syscall").Split(' ')[0].Trim();
            return long.TryParse(syscall, out _) ? $"{state} {syscall}" : $"{state} {syscall.Trim()}";
        }
        catch (IOException e)
        {
            return e.Message;
        }
    }

    private static List<int> DirectChildren(int pid)
    {
        var (code, stdout, _) = HostCommand.TryRun("pgrep", "-P", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return code != 0 ? [] : stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => int.Parse(l, System.Globalization.CultureInfo.InvariantCulture)).ToList();
    }

    /// <summary>The text after <c>prog: -netdev ARG: </c> on the line that reports the failing argument.</summary>
    private static string ErrorMessage(string stderr, IReadOnlyList<string> netdevs)
    {
        foreach (var line in stderr.Split('\n'))
        {
            foreach (var n in netdevs)
            {
                foreach (var prog in new[] { QemuName, TapnetName })
                {
                    string prefix = $"{prog}: -netdev {n}: ";
                    if (line.StartsWith(prefix, StringComparison.Ordinal) && !line.AsSpan(prefix.Length).StartsWith("warning: "))
                    {
                        return line[prefix.Length..];
                    }
                }
            }
        }
        return "";
    }

    /// <summary>TUN ioctls on fds opened from /dev/net/tun, in order: <c>NAME[ value] = result</c>.</summary>
    private static List<string> ParseTunIoctls(string[] lines)
    {
        var tunFds = new HashSet<(string Pid, string Fd)>();
        var result = new List<string>();
        foreach (var line in lines)
        {
            if (OpenTun.Match(line) is { Success: true } o)
            {
                tunFds.Add((o.Groups[1].Value, o.Groups[2].Value));
                continue;
            }
            if (CloseCall.Match(line) is { Success: true } c)
            {
                tunFds.Remove((c.Groups[1].Value, c.Groups[2].Value));
                continue;
            }
            if (Ioctl.Match(line) is { Success: true } m)
            {
                // Any pid: .NET threads share the fd table, strace numbers them apart.
                if (!tunFds.Any(t => t.Fd == m.Groups[2].Value))
                {
                    continue;
                }
                string name = m.Groups[3].Value;
                string value = name == "TUNSETOFFLOAD" ? " " + m.Groups[4].Value : "";
                string r = m.Groups[5].Value == "-1" ? m.Groups[6].Value : "0";
                result.Add($"{name}{value} = {r}");
            }
        }
        return result;
    }
}
