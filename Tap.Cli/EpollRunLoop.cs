using Tap.Linux;

namespace Tap.Cli;

/// <summary>The real-host loop: epoll, stopped by SIGINT or SIGTERM.</summary>
public sealed class EpollRunLoop(EpollLoop loop) : IRunLoop
{
    public void Run()
    {
        loop.StopOnTerminationSignals();
        loop.Run();
    }

    public void Run(Action tick, TimeSpan interval)
    {
        loop.StopOnTerminationSignals();
        loop.Run(tick, interval);
    }

    public void RequestStop() => loop.RequestStop();

    public int? StopSignal => loop.StopSignal switch
    {
        null => null,
        System.Runtime.InteropServices.PosixSignal.SIGINT => 2,
        System.Runtime.InteropServices.PosixSignal.SIGTERM => 15,
        var other => (int)other,
    };
}
