using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary>Decides at run time whether a real-kernel test can run here; when not, the test writes why and
/// returns (it passes, having checked nothing).</summary>
internal static class LinuxTestGate
{
    private const string TunPath = "/dev/net/tun";

    /// <summary>Root, Linux, <c>/dev/net/tun</c> and the <c>ip</c> tool.</summary>
    public static bool CanUseTun(ITestOutputHelper output)
    {
        string? reason = !OperatingSystem.IsLinux() ? "not Linux"
            : !Environment.IsPrivilegedProcess ? "not root"
            : !File.Exists(TunPath) ? $"{TunPath} missing"
            : FindTool("ip") is null ? "no ip tool"
            : null;
        return Report(output, reason);
    }

    /// <summary>Linux and root (children, signals, fd tables), without TUN.</summary>
    public static bool CanSpawn(ITestOutputHelper output)
    {
        string? reason = !OperatingSystem.IsLinux() ? "not Linux" : !Environment.IsPrivilegedProcess ? "not root" : null;
        return Report(output, reason);
    }

    /// <summary>Linux with gcc and the kernel headers.</summary>
    public static bool CanCompileC(ITestOutputHelper output)
    {
        string? reason = !OperatingSystem.IsLinux() ? "not Linux"
            : FindTool("gcc") is null ? "no gcc"
            : !File.Exists("/usr/include/linux/if_tun.h") ? "no kernel headers"
            : null;
        return Report(output, reason);
    }

    public static string? FindTool(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin", "/usr/bin"]))
        {
            var path = Path.Combine(dir, name);
            if (dir.Length > 0 && File.Exists(path))
            {
                return path;
            }
        }
        return null;
    }

    private static bool Report(ITestOutputHelper output, string? reason)
    {
        if (reason is not null)
        {
            // CI here runs as root with TUN: a missing prerequisite there is a broken CI, not a reason to skip.
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                throw new InvalidOperationException($"real-kernel test cannot run in CI: {reason}");
            }
            output.WriteLine($"skipped on this machine: {reason}");
        }
        return reason is null;
    }
}
