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
    /// <summary>The environment variable that runs the Linux tests on the io_uring path: <c>TAPNET_IO=uring</c>.</summary>
    public const string IoVariable = "TAPNET_IO";

    /// <summary>A host whose loop is <paramref name="io"/>'s (else <c>TAPNET_IO</c>'s); an io_uring loop belongs to the
    /// constructing thread, as tapnet's does, unless <paramref name="sharedLoop"/> (a test that runs the loop on a
    /// thread of its own).</summary>
    public LinuxHost(TimeSpan? childTimeout = null, IoMode? io = null, bool sharedLoop = false)
    {
        SharedLoop = sharedLoop;
        Loop = CreateLoop(io ?? IoFromEnvironment(), !sharedLoop);
        Os = new LinuxOsNet(Loop, new LinuxOsNetOptions
        {
            ProgramName = "tapnet-test",
            ChildTimeout = childTimeout ?? LinuxOsNetOptions.DefaultChildTimeout,
            ReportSink = Reports.Add,
        });
    }

    public IMainLoop Loop { get; }

    /// <summary>Whether <see cref="Loop"/> may be run and changed from any thread (else only from the constructing
    /// one, when it is an io_uring loop).</summary>
    public bool SharedLoop { get; }

    /// <summary><c>TAPNET_IO</c>: unset or <c>epoll</c> for epoll, <c>uring</c> for io_uring; anything else is an
    /// error, not a silent default.</summary>
    public static IoMode IoFromEnvironment() => Environment.GetEnvironmentVariable(IoVariable) switch
    {
        null or "" or "epoll" => IoMode.Epoll,
        "uring" => IoMode.Uring,
        var other => throw new InvalidOperationException($"{IoVariable}={other}: expected epoll or uring"),
    };

    /// <summary>The loop for <paramref name="io"/>; io_uring asked for and unavailable fails the test (a silent
    /// fall-back to epoll would pass the uring run on the epoll path).</summary>
    private static IMainLoop CreateLoop(IoMode io, bool oneThread) => io == IoMode.Epoll
        ? new EpollLoop()
        : UringLoop.TryCreate(out string? whyNot, oneThread)
          ?? throw new InvalidOperationException($"{IoVariable}=uring but io_uring is unavailable: {whyNot}");
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
