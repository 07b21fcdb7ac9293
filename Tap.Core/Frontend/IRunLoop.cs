namespace Tap.Core.Frontend;

/// <summary>
/// The main loop a front end runs: the real epoll loop (Tap.Linux) or the simulated kernel's (Tap.Sim). The core
/// never runs it; it is here so both kernels can offer one and a front end is composed with either.
/// </summary>
public interface IRunLoop
{
    /// <summary>Dispatches events until <see cref="RequestStop()"/> or a termination signal.</summary>
    void Run();

    /// <summary>
    /// As <see cref="Run()"/>, calling <paramref name="tick"/> on the loop's thread every <paramref name="interval"/>.
    /// </summary>
    void Run(Action tick, TimeSpan interval);

    /// <summary>
    /// The number of the signal that stopped the last run (1 for SIGHUP, 2 for SIGINT, 15 for SIGTERM), or null.
    /// </summary>
    int? StopSignal { get; }

    /// <summary>Stops <see cref="Run()"/> from any thread.</summary>
    void RequestStop();
}
