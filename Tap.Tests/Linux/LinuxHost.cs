using Tap.Core.Abi;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;
using Tap.Linux;

namespace Tap.Tests.Linux;

/// <summary>A <see cref="LinuxOsNet"/> with its own loop, a captured report sink and a stack for netdevs.</summary>
internal sealed class LinuxHost : IDisposable
{
    public LinuxHost(TimeSpan? childTimeout = null)
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

    /// <summary>The net clients the netdevs made on this rig join.</summary>
    public NetStack Stack { get; } = new();

    /// <summary><c>-netdev tap</c> with <paramref name="options"/> on this rig's stack and kernel.</summary>
    public NetdevInitResult InitTap(TapOptions options) => TapInit.Run(Stack, Os, new NetdevEnvironment(), options);

    /// <summary><c>-netdev bridge</c> with <paramref name="options"/> on this rig's stack and kernel.</summary>
    public NetdevInitResult InitBridge(BridgeOptions options) =>
        BridgeInit.Run(Stack, Os, new NetdevEnvironment(), options);

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
