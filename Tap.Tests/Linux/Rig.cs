using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Linux;

namespace Tap.Tests.Linux;

/// <summary>A <see cref="LinuxOsNet"/> with its own loop and a captured report sink.</summary>
internal sealed class Rig : IDisposable
{
    public Rig(TimeSpan? childTimeout = null)
    {
        Loop = new EpollLoop();
        Os = new LinuxOsNet(Loop, new LinuxOsNetOptions
        {
            ProgramName = "tapnet-test",
            ChildTimeout = childTimeout ?? LinuxOsNetOptions.DefaultChildTimeout,
            ReportSink = Reports.Add,
        });
    }

    public EpollLoop Loop { get; }
    public LinuxOsNet Os { get; }
    public List<Diagnostic> Reports { get; } = new();

    /// <summary>Opens /dev/net/tun and attaches it as <paramref name="name"/> (linux-tun.md §1).</summary>
    public (Fd Fd, string Name) OpenTap(string name = "tap%d", TunFlags flags = TunFlags.Tap | TunFlags.NoPi | TunFlags.VnetHdr)
    {
        var fd = Os.OpenTunControl();
        Assert.Equal(Errno.None, fd.Error);
        var set = Os.TunSetIff(fd.Value, name, flags);
        Assert.Equal(Errno.None, set.Error);
        return (fd.Value, set.Value);
    }

    public void Dispose()
    {
        Os.Dispose();
        Loop.Dispose();
    }
}
