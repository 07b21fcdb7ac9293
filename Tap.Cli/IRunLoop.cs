namespace Tap.Cli;

/// <summary>The main loop a front end runs: the real epoll loop, or a simulated one.</summary>
public interface IRunLoop
{
    /// <summary>Dispatches events until <see cref="RequestStop"/> or a termination signal.</summary>
    void Run();

    /// <summary>Stops <see cref="Run"/> from any thread.</summary>
    void RequestStop();
}
