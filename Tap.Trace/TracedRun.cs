using Tap.Core.Frontend;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;

namespace Tap.Trace;

/// <summary>
/// A core with a recorder in front of its kernel, built and shut down as tapnet does it: the header's netdevs in
/// order, the offload plan, and at the end a stop, the orderly shutdown and the end record. Simulated runs and
/// real-kernel recordings share it, so their traces have the same shape as <c>tapnet --trace</c>'s.
/// </summary>
public sealed class TracedRun
{
    private readonly TraceHeader _header;

    /// <summary>
    /// Starts a trace of <paramref name="header"/> on <paramref name="sink"/> for a core on <paramref name="kernel"/>.
    /// </summary>
    public TracedRun(IOsNet kernel, ITraceSink sink, TraceHeader header)
    {
        _header = header;
        Recorder = new RecordingOsNet(kernel, new TraceWriter(sink, header));
        Stack = new NetStack { EventObserver = Recorder };
        Driver = new CoreDriver(Stack, Recorder, header.Environment, new TraceFrontendEvents(Recorder));
    }

    public RecordingOsNet Recorder { get; }

    public NetStack Stack { get; }

    public CoreDriver Driver { get; }

    /// <summary>
    /// Creates the header's netdevs as <c>tapnet</c> does (<see cref="NetdevBuild"/>), then plans the offloads. True
    /// when they all exist; otherwise (one did not parse or could not be created) the trace has ended.
    /// </summary>
    public bool CreateNetdevs()
    {
        var arguments = _header.Netdevs.Select(n => new NetdevArgument(n.Option, n.Value)).ToList();
        if (NetdevBuild.Run(Driver, "tapnet", arguments).Status != NetdevBuildStatus.Built)
        {
            Recorder.End();
            return false;
        }
        Driver.PlanOffloads();
        return true;
    }

    /// <summary>The loop stopped on <paramref name="signal"/>: every netdev deleted, then the end record.</summary>
    public void Shutdown(int signal)
    {
        Driver.Stopped(signal);
        Driver.DeleteAll();
        Recorder.End();
    }
}
