using System.Diagnostics;

namespace Tap.Tests.Linux;

/// <summary>Runs a helper tool of the test (ip, sysctl, gcc) and fails the test when it fails.</summary>
internal static class HostCommand
{
    /// <summary>Every tool call is bounded; ip and gcc finish in well under a second here.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static string Run(string program, params string[] args)
    {
        var (code, stdout, stderr) = TryRun(program, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {code}: {stderr}");
        }
        return stdout;
    }

    public static (int Code, string Stdout, string Stderr) TryRun(string program, params string[] args)
    {
        var info = new ProcessStartInfo(LinuxTestGate.FindTool(program) ?? program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill();
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
