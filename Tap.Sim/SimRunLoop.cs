using Tap.Core.Frontend;

namespace Tap.Sim;

/// <summary>
/// The simulated kernel's main loop: iterations of <see cref="SimKernel.RunOnce"/> until one dispatches nothing
/// (the simulated host has nothing more to say) or a stop is requested. No signal stops it.
/// </summary>
public sealed class SimRunLoop(SimKernel kernel) : IRunLoop
{
    private volatile bool _stop;

    /// <summary>Iterations after which <see cref="Run()"/> gives up even if the kernel is never idle.</summary>
    public int MaxIterations { get; init; } = 10000;

    public int? StopSignal => null;

    public void Run() => Run(() => { }, TimeSpan.Zero);

    /// <summary>
    /// As <see cref="Run()"/>, calling <paramref name="tick"/> after every iteration: simulated time has no interval.
    /// </summary>
    public void Run(Action tick, TimeSpan interval)
    {
        _stop = false;
        for (int i = 0; i < MaxIterations && !_stop; i++)
        {
            int calls = kernel.RunOnce();
            tick();
            if (calls == 0)
            {
                return;
            }
        }
    }

    public void RequestStop() => _stop = true;
}
