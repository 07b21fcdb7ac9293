using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;

namespace Tap.Core.Trace;

/// <summary>
/// A core with a recorder in front of its kernel, built and shut down as tapnet does it: the header's netdevs in
/// order, the offload plan, and at the end a stop, the orderly shutdown and the end record. Simulated runs and
/// real-kernel recordings share it, so their traces have the same shape as <c>tapnet --trace</c>'s.
/// </summary>
public sealed class TracedRun
{
    private readonly TraceHeader _header;

    /// <summary>Starts a trace of <paramref name="header"/> on <paramref name="sink"/> for a core on <paramref name="kernel"/>.</summary>
    public TracedRun(IOsNet kernel, ITraceSink sink, TraceHeader header)
    {
        _header = header;
        Recorder = new RecordingOsNet(kernel, new TraceWriter(sink, header));
        Stack = new NetStack { EventObserver = Recorder };
        Driver = new CoreDriver(Stack, Recorder, header.Environment, Recorder);
    }

    public RecordingOsNet Recorder { get; }

    public NetStack Stack { get; }

    public CoreDriver Driver { get; }

    /// <summary>
    /// Creates the header's netdevs in order, then plans the offloads. True when they all exist; otherwise (one did
    /// not parse or could not be created) the exit notifiers have run and the trace has ended.
    /// </summary>
    public bool CreateNetdevs()
    {
        for (int i = 0; i < _header.Netdevs.Count; i++)
        {
            var options = NetdevParser.Parse(_header.Netdevs[i].Value).Options;
            if (options is null || !Driver.CreateNetdev(i, options).Ok)
            {
                Driver.RunExitNotifiers();
                Recorder.End();
                return false;
            }
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
