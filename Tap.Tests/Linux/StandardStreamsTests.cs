using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary>
/// tapnet started with stdout or stderr closed, or pointing at a stream that fails every write (/dev/full), as a
/// supervisor or a careless script may start it (docs/scripts-and-helpers.md#closed-stdio). tapnet writes to both
/// without any timing: the "has no peer" warning as it starts and the traffic summary as it stops. Either used to end
/// it with exit 134 before its clean-up. It must run, stop on SIGTERM with exit 0, run the down script once, and never
/// let its tap take a standard stream's number (QEMU 7.2's tap lands on fd 1 when stdout is closed).
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class StandardStreamsTests(ITestOutputHelper output)
{
    [SkippableTheory(DisplayName = "closed-stdio: stdout or stderr closed, or failing every write: exit 0 on SIGTERM, the down script once, no tap on fds 0-2")]
    [InlineData(">&-")]
    [InlineData("2>&-")]
    [InlineData("<&- >&- 2>&-")]
    [InlineData(">/dev/full 2>/dev/full")]
    public void RunsAndCleansUp(string redirections) =>
        CleanStop.Check(output, "sio0", "TERM", (ns, args) => TapnetProcess.StartRedirected(ns, redirections, args),
            tapnet =>
            {
                for (int fd = 0; fd <= 2; fd++)
                {
                    string target = new FileInfo($"/proc/{tapnet.Pid}/fd/{fd}").LinkTarget ?? "(closed)";
                    output.WriteLine($"fd {fd}: {target}");
                    Assert.NotEqual("/dev/net/tun", target);
                }
            },
            "--stats=0.05");
}
