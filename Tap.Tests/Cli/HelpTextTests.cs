using System.Diagnostics;
using Tap.Tests.Linux;

namespace Tap.Tests.Cli;

/// <summary>Every help text ends with a newline, so the shell prompt after it starts on a line of its own.</summary>
public sealed class HelpTextTests
{
    [Theory(DisplayName = "tapnet --help, demo --help, sim --help and replay --help end with exactly one newline")]
    [InlineData("--help")]
    [InlineData("demo", "--help")]
    [InlineData("sim", "--help")]
    [InlineData("replay", "--help")]
    public void EndsWithNewline(params string[] args)
    {
        // The raw bytes: TapnetProcess reads line by line, which would add the newline this test looks for.
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true };
        info.ArgumentList.Add(TapnetProcess.Dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        using var p = Process.Start(info)!;
        string stdout = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(30)), "tapnet --help did not exit within 30 s");
        Assert.Equal(0, p.ExitCode);
        Assert.EndsWith("\n", stdout, StringComparison.Ordinal);
        Assert.False(stdout.EndsWith("\n\n", StringComparison.Ordinal), "a blank line at the end");
    }
}
