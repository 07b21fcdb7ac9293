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
}
