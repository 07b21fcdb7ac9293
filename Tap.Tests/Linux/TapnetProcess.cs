using System.Diagnostics;
using System.Text;

namespace Tap.Tests.Linux;

/// <summary>The real <c>tapnet</c> binary run as a user runs it, optionally inside a namespace.</summary>
internal sealed class TapnetProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _stdout = new();

    private TapnetProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (_stderr) { _stderr.AppendLine(e.Data); } } };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (_stdout) { _stdout.AppendLine(e.Data); } } };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    /// <summary>tapnet.dll beside the tests (Tap.Tests references Tap.Cli).</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "tapnet.dll");

    public static TapnetProcess Start(string? netns, params string[] args) => Start(netns, null, args);

    /// <summary>As <see cref="Start(string?, string[])"/>, with <paramref name="environment"/> added to the
    /// inherited environment (<c>ip netns exec</c> passes it on).</summary>
    public static TapnetProcess Start(string? netns, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Start(netns, environment, null, args);

    /// <summary>As <see cref="Start(string?, string[])"/> in <paramref name="netns"/>, with
    /// <paramref name="signals"/> (names as the shell's trap takes them, e.g. "INT HUP") ignored when tapnet starts,
    /// as a shell's background job starts with SIGINT ignored and nohup's child with SIGHUP (ignored dispositions
    /// survive exec; the shell execs tapnet, so <see cref="Pid"/> is tapnet's).</summary>
    public static TapnetProcess StartIgnoring(string netns, string signals, params string[] args) =>
        Start(netns, null, $"trap '' {signals}; exec \"$@\"", args);

    /// <summary>As <see cref="Start(string?, string[])"/> in <paramref name="netns"/>, with the shell's
    /// <paramref name="redirections"/> applied as tapnet starts (e.g. "&gt;&amp;-" starts it with stdout closed;
    /// the shell execs tapnet, so <see cref="Pid"/> is tapnet's).</summary>
    public static TapnetProcess StartRedirected(string netns, string redirections, params string[] args) =>
        Start(netns, null, $"exec \"$@\" {redirections}", args);

    /// <summary><paramref name="shell"/>: sh code that ends by exec'ing "$@" (dotnet, tapnet.dll and the arguments),
    /// or null to start them directly.</summary>
    private static TapnetProcess Start(string? netns, IReadOnlyDictionary<string, string>? environment,
        string? shell, string[] args)
    {
        var info = new ProcessStartInfo(netns is null ? "dotnet" : "ip") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        if (netns is not null)
        {
            var prefix = shell is null
                ? new[] { "netns", "exec", netns, "dotnet" }
                : ["netns", "exec", netns, "sh", "-c", shell, "tapnet", "dotnet"];
            foreach (var a in prefix)
            {
                info.ArgumentList.Add(a);
            }
        }
        info.ArgumentList.Add(Dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        // The forwarding runs of tapnet itself use the loop TAPNET_IO (LinuxHost.IoVariable) names, epoll when it
        // is unset, as LinuxHost does: so the first pass of scripts/test.sh covers epoll and the second io_uring,
        // whatever tapnet's default. Not the subcommands (demo, sim, replay), which take no --io; nor a run whose
        // arguments choose it themselves.
        if (args.Length > 0 && args[0].StartsWith('-') && args.Any(a => a is "-netdev" or "--netdev")
            && !args.Any(a => a.StartsWith("--io", StringComparison.Ordinal)))
        {
            info.ArgumentList.Add(LinuxHost.IoFromEnvironment() == Tap.Linux.IoMode.Uring ? "--io=uring" : "--io=epoll");
        }
        return new TapnetProcess(Process.Start(info)!);
    }

    public string Stderr { get { lock (_stderr) { return _stderr.ToString(); } } }
    public string Stdout { get { lock (_stdout) { return _stdout.ToString(); } } }
    public bool HasExited => _process.HasExited;
    public int Pid => _process.Id;

    /// <summary>Waits until every interface in <paramref name="names"/> exists in <paramref name="ns"/>: tapnet has
    /// created its netdevs. Fails at once when tapnet exits, and after <paramref name="limit"/>.</summary>
    public void WaitForLinks(TestNetns ns, TimeSpan limit, params string[] names) =>
        WaitUntil(() => names.All(ns.HasLink), limit,
            () => $"tapnet exited early: {Stderr}",
            () => $"tapnet did not create {string.Join(", ", names)} within {limit.TotalSeconds} s: {Stderr}");

    /// <summary>Waits until at least <paramref name="count"/> stdout lines contain <paramref name="marker"/>
    /// (periodic output the program prints by itself). Fails at once when tapnet exits, and after
    /// <paramref name="limit"/>.</summary>
    public void WaitForStdoutLines(string marker, int count, TimeSpan limit) =>
        WaitUntil(() => Stdout.Split('\n').Count(l => l.Contains(marker, StringComparison.Ordinal)) >= count, limit,
            () => $"tapnet exited before {count} lines with '{marker}': {Stderr}",
            () => $"tapnet printed fewer than {count} lines with '{marker}' within {limit.TotalSeconds} s:\n{Stdout}");

    /// <summary>Polls <paramref name="done"/>; fails with <paramref name="exited"/>'s message when tapnet exits first,
    /// and with <paramref name="late"/>'s after <paramref name="limit"/>.</summary>
    private void WaitUntil(Func<bool> done, TimeSpan limit, Func<string> exited, Func<string> late)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!done())
        {
            if (HasExited)
            {
                throw new InvalidOperationException(exited());
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(late());
            }
            Thread.Sleep(20);
        }
    }

    /// <summary>Sends SIGTERM (through the namespace's ip wrapper's child when needed) and waits for the exit status.</summary>
    public int Terminate(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            // `ip netns exec` execs the program, so the pid is tapnet's own.
            HostCommand.TryRun("kill", "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return Wait(timeout);
    }

    public int Wait(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            throw new TimeoutException($"tapnet did not exit; stderr:\n{Stderr}");
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Runs tapnet to completion (for commands that exit by themselves).</summary>
    public static (int Code, string Stdout, string Stderr) RunToEnd(string? netns, TimeSpan timeout, params string[] args)
    {
        using var p = Start(netns, args);
        int code = p.Wait(timeout);
        return (code, p.Stdout, p.Stderr);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
