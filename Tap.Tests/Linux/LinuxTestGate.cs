using System.Reflection;
using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary>
/// Decides whether a real-kernel test can run here. A missing prerequisite fails the test under <c>CI=true</c>
/// (CI runs as root with TUN and installs every tool, so a missing one is a broken CI) and reports the test as
/// skipped, with the reason, anywhere else: never a silent pass. Every test that gets through is written to
/// <c>TAPNET_REAL_KERNEL_LOG</c> when that is set, so the test run can say how many real-kernel tests ran.
/// </summary>
/// <remarks>Tests that call it carry <c>[SkippableFact]</c> or <c>[SkippableTheory]</c>.</remarks>
internal static class LinuxTestGate
{
    private const string TunPath = "/dev/net/tun";

    /// <summary>The environment variable scripts/test.sh sets to the file that lists the real-kernel tests run.</summary>
    public const string RunLogVariable = "TAPNET_REAL_KERNEL_LOG";

    private static readonly object LogLock = new();

    public static bool InCi => Environment.GetEnvironmentVariable("CI") == "true";

    /// <summary>Root, Linux, <c>/dev/net/tun</c> and the <c>ip</c> tool.</summary>
    public static void RequireTun(ITestOutputHelper output) => Require(output, TunMissing(), realKernel: true);

    /// <summary>Linux and root (children, signals, fd tables), without TUN.</summary>
    public static void RequireSpawn(ITestOutputHelper output) =>
        Require(output, !OperatingSystem.IsLinux() ? "not Linux" : !Environment.IsPrivilegedProcess ? "not root" : null, realKernel: true);

    /// <summary>Linux on x86-64 with gcc and the kernel headers (the ABI checks compare with this architecture's C).</summary>
    public static void RequireCompileC(ITestOutputHelper output) =>
        Require(output, !OperatingSystem.IsLinux() ? "not Linux"
            : System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64 ? "not x86-64"
            : FindTool("gcc") is null ? "no gcc"
            : !File.Exists("/usr/include/linux/if_tun.h") ? "no kernel headers"
            : null, realKernel: true);

    /// <summary>A program or file a test drives (<c>.ci/run</c> installs it from <paramref name="package"/>).</summary>
    public static void RequireFile(ITestOutputHelper output, string path, string package) =>
        Require(output, File.Exists(path) ? null : $"{path} missing (Debian package {package})", realKernel: false);

    /// <summary>A tool found on PATH or in the sbin directories.</summary>
    public static void RequireTool(ITestOutputHelper output, string tool, string package) =>
        Require(output, FindTool(tool) is not null ? null : $"{tool} missing (Debian package {package})", realKernel: false);

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

    private static string? TunMissing() =>
        !OperatingSystem.IsLinux() ? "not Linux"
        : !Environment.IsPrivilegedProcess ? "not root"
        : !File.Exists(TunPath) ? $"{TunPath} missing"
        : FindTool("ip") is null ? "no ip tool"
        : null;

    private static void Require(ITestOutputHelper output, string? missing, bool realKernel)
    {
        if (missing is not null)
        {
            if (InCi)
            {
                throw new InvalidOperationException($"real-kernel test cannot run in CI: {missing}");
            }
            output.WriteLine($"skipped on this machine: {missing}");
            throw new SkipException($"needs what this machine lacks: {missing}");
        }
        if (realKernel)
        {
            LogRun(output);
        }
    }

    private static void LogRun(ITestOutputHelper output)
    {
        var log = Environment.GetEnvironmentVariable(RunLogVariable);
        if (string.IsNullOrEmpty(log))
        {
            return;
        }
        lock (LogLock)
        {
            File.AppendAllText(log, TestName(output) + "\n");
        }
    }

    /// <summary>xunit 2 keeps the running test in the output helper's private <c>test</c> field.</summary>
    private static string TestName(ITestOutputHelper output) =>
        (output.GetType().GetField("test", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(output) as ITest)?.DisplayName
        ?? throw new InvalidOperationException("the test output helper no longer names its test: update LinuxTestGate.TestName");
}
