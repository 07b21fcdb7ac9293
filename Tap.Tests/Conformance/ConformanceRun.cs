using System.Diagnostics;
using System.Text.RegularExpressions;
using Tap.Tests.Linux;

namespace Tap.Tests.Conformance;

/// <summary>How a program ended after its -netdev arguments were processed.</summary>
public enum RunOutcome
{
    /// <summary>Still running after start-up (the netdevs exist); stopped by us with SIGTERM.</summary>
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

        // A program that is still up after start-up has created its netdevs; the longest start-up here (the .NET
        // runtime under strace) takes a fraction of a second.
        bool exited = p.WaitForExit(TimeSpan.FromSeconds(2.5));
        // Under load a helper or script (python under strace) can still be running at that point, and a SIGTERM
        // then would kill it and turn a good start into "bridge helper failed": wait until the program's own
        // children are done (bounded), and only then call it up.
        var settle = DateTime.UtcNow + ChildSettleLimit;
        while (!exited && DateTime.UtcNow < settle && ProgramHasChildren(p.Id))
        {
            exited = p.WaitForExit(TimeSpan.FromMilliseconds(200));
        }
        exited = exited || p.WaitForExit(TimeSpan.FromMilliseconds(300));
        var outcome = RunOutcome.Other;
        if (!exited)
        {
            outcome = RunOutcome.Running;
            foreach (var pid in ChildPids(p.Id))
            {
                Tool.TryRun("kill", "-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            if (!p.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
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

    /// <summary>The processes strace runs (its traced child is the program); SIGTERM goes to the program itself.</summary>
    /// <summary>How long a program's helper or script may take beyond the start-up window (D-14's own limit is 30 s).</summary>
    private static readonly TimeSpan ChildSettleLimit = TimeSpan.FromSeconds(20);

    /// <summary>True while the program strace runs (pid <paramref name="stracePid"/>) has children of its own.</summary>
    private static bool ProgramHasChildren(int stracePid) => DirectChildren(stracePid).Any(program => DirectChildren(program).Count > 0);

    private static List<int> DirectChildren(int pid)
    {
        var (code, stdout, _) = Tool.TryRun("pgrep", "-P", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return code != 0 ? [] : stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => int.Parse(l, System.Globalization.CultureInfo.InvariantCulture)).ToList();
    }

    private static IEnumerable<int> ChildPids(int pid)
    {
        var list = new List<int>();
        var (code, stdout, _) = Tool.TryRun("pgrep", "-P", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (code == 0)
        {
            foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                int child = int.Parse(line, System.Globalization.CultureInfo.InvariantCulture);
                var grandchildren = ChildPids(child).ToList();
                list.AddRange(grandchildren.Count > 0 ? grandchildren : new List<int> { child });
            }
        }
        return list;
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
