using Tap.Core.Frontend;
using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Trace;

namespace Tap.Sim.Scenarios;

/// <summary>
/// A <c>tapnet</c> command line run on the simulated kernel with a trace: the netdevs are built as tapnet builds
/// them, then the host side sends seeded frames into the taps, takes what was written, and the front end detaches
/// and attaches queues (multiqueue taps) and starts and stops vhost (vhost queues), all through the main loop; then
/// a SIGTERM and the orderly shutdown.
/// Same seed, same trace, byte for byte.
/// </summary>
public static class TracedNetdevRun
{
    /// <summary>The command line used when none is given: two taps joined by hub 0.</summary>
    public static readonly IReadOnlyList<string> DefaultNetdevs =
    [
        "tap,id=t0,ifname=simtap0,script=no,downscript=no",
        "tap,id=t1,ifname=simtap1,script=no,downscript=no",
        "hubport,id=h0,hubid=0,netdev=t0",
        "hubport,id=h1,hubid=0,netdev=t1",
    ];

    private const int SigTerm = 15;
    private const int MaxFrameBytes = 1514;

    /// <summary>
    /// Runs <paramref name="netdevs"/> for <paramref name="steps"/> steps on a kernel seeded with
    /// <paramref name="seed"/>, recording to <paramref name="sink"/>; <paramref name="setup"/> may give the kernel
    /// scripts, helpers, fds or faults first. Returns the number of records written.
    /// </summary>
    public static long Run(ulong seed, IReadOnlyList<string> netdevs, int steps, ITraceSink sink,
        TracePayloads payloads = TracePayloads.Full, Action<SimKernel>? setup = null, string tapnetVersion = "sim")
    {
        var kernel = new SimKernel(seed) { KeepTransmitted = true, RecordDataPath = false };
        setup?.Invoke(kernel);
        var env = new NetdevEnvironment();
        var header = new TraceHeader
        {
            TapnetVersion = tapnetVersion,
            Kernel = "sim",
            Payloads = payloads,
            Seed = seed,
            Netdevs = netdevs.Select(n => new TraceNetdev("-netdev", n)).ToList(),
            Environment = env,
        };
        var run = new TracedRun(kernel, sink, header);
        if (!run.CreateNetdevs())
        {
            return run.Recorder.Writer.Count;
        }
        var (stack, driver) = (run.Stack, run.Driver);
        foreach (var d in kernel.Devices)
        {
            kernel.SetLinkUp(d.Name, true);
        }

        var frame = new byte[MaxFrameBytes];
        for (int step = 0; step < steps; step++)
        {
            var devices = kernel.Devices.Where(d => !d.Deleted).ToList();
            int choice = kernel.Random.Next(10);
            if (devices.Count > 0 && choice < 5)
            {
                var d = devices[kernel.Random.Next(devices.Count)];
                int len = kernel.Random.Next(14, MaxFrameBytes + 1);
                for (int b = 0; b < len; b++)
                {
                    frame[b] = (byte)kernel.Random.Next(256);
                }
                kernel.HostSend(d.Name, frame.AsSpan(0, len));
            }
            else if (devices.Count > 0 && choice < 7)
            {
                kernel.HostReceive(devices[kernel.Random.Next(devices.Count)].Name);
            }
            else if (choice == 7)
            {
                var queues = stack.Clients.OfType<TapBackend>().Where(q => stack.FindAll(q.Name).Count > 1).ToList();
                if (queues.Count > 0)
                {
                    var q = queues[kernel.Random.Next(queues.Count)];
                    driver.Control(q, q.Enabled ? QueueControl.Disable : QueueControl.Enable);
                }
            }
            else if (choice == 8)
            {
                // Only where vhost is configured: without vhost queues nothing is drawn, so other runs keep their
                // records (and pinned digests) unchanged. The guest side is idle: what vhost owns waits in the tap.
                var queues = stack.Clients.OfType<TapBackend>().Where(q => q.VhostFd is not null).ToList();
                if (queues.Count > 0)
                {
                    var q = queues[kernel.Random.Next(queues.Count)];
                    driver.Control(q, q.VhostRunning ? QueueControl.VhostStop : QueueControl.VhostStart);
                }
            }
            kernel.RunOnce();
        }
        run.Shutdown(SigTerm);
        return run.Recorder.Writer.Count;
    }
}
