using System.Runtime.InteropServices;
using Tap.Core.Frontend;

namespace Tap.Linux;

/// <summary>The real-host loop (epoll or io_uring), stopped by SIGINT, SIGTERM or SIGHUP.</summary>
public sealed class EpollRunLoop : IRunLoop
{
    private readonly IMainLoop _loop;

    /// <summary>Catches the termination signals from the moment the loop exists, before any netdev is created, so a
    /// signal during start-up stops the loop as soon as it runs and the clean-up still happens (QEMU installs its
    /// handlers before it creates netdevs, too).</summary>
    public EpollRunLoop(IMainLoop loop)
    {
        _loop = loop;
        loop.StopOnTerminationSignals();
    }

    public void Run() => _loop.Run();

    public void Run(Action tick, TimeSpan interval) => _loop.Run(tick, interval);

    public void RequestStop() => _loop.RequestStop();

    public int? StopSignal => _loop.StopSignal switch
    {
        null => null,
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGTERM => 15,
        var other => (int)other,
    };
}
