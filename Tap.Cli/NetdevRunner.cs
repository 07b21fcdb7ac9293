using Tap.Core.Frontend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;
using Tap.Trace;

namespace Tap.Cli;

/// <summary>
/// Builds the netdevs of a command line (<see cref="NetdevBuild"/>, QEMU's order), attaches captures, runs the loop,
/// and cleans up exactly once. Every step goes through a <see cref="CoreDriver"/>, so that with <c>--trace</c> each is
/// an event of the trace. With a <see cref="ServiceNotifier"/> (systemd's NOTIFY_SOCKET) it reports ready just before
/// the loop runs and stopping just after it stops.
/// </summary>
public sealed class NetdevRunner(
    NetStack stack, IOsNet os, NetdevEnvironment env, IRunLoop loop, IFrontendEvents? events = null,
    ServiceNotifier? notifier = null)
{
    private readonly CoreDriver _driver = new(stack, os, env, events);

    /// <summary>
    /// Builds everything (<see cref="NetdevBuild"/>), printing its messages to <paramref name="stderr"/> and a help
    /// text asked for to <paramref name="stdout"/>; how it ended.
    /// </summary>
    public NetdevBuildStatus Build(string program, IReadOnlyList<NetdevArgument> arguments, TextWriter stdout,
        TextWriter stderr)
    {
        var result = NetdevBuild.Run(_driver, program, arguments);
        foreach (var line in result.Messages)
        {
            stderr.WriteLine(line);
        }
        if (result.Help is { } help)
        {
            stdout.Write(help);
        }
        return result.Status;
    }

    /// <summary>
    /// GSO end to end on hubs of vnet taps (docs/differences.md#gso-hubs); after captures are attached, which rule it
    /// out.
    /// </summary>
    public void PlanOffloads(bool enabled)
    {
        if (enabled)
        {
            _driver.PlanOffloads();
        }
    }

    private readonly List<PcapWriter> _captures = new();

    /// <summary>
    /// As QEMU's exit(1) after the netdevs exist: the down scripts of the netdevs already made run (R41).
    /// </summary>
    public void ExitWithNetdevs() => _driver.RunExitNotifiers();

    /// <summary>
    /// Attaches the <c>-object filter-dump</c> captures after the netdevs exist (QEMU creates such objects late).
    /// 0, or 1 with QEMU's message printed.
    /// </summary>
    public int AttachCaptures(string program, IReadOnlyList<NetdevArgument> objects, TextWriter stderr)
    {
        foreach (var o in objects)
        {
            if (FilterRateLimitOptions.Is(o.Value))
            {
                if (AddRateLimit(program, o, stderr) != 0)
                {
                    return 1;
                }
                continue;
            }
            var (dump, error) = FilterDumpOptions.Parse(o.Value);
            if (error is not null)
            {
                stderr.WriteLine($"{program}: {o.Option} {o.Value}: {error}");
                return 1;
            }
            var clients = stack.FindAll(dump!.Netdev).Where(c => c is not HubPort).ToList();
            if (clients.Count == 0)
            {
                // QEMU reports this when it completes the object, without the option's location.
                stderr.WriteLine($"{program}: Parameter 'netdev' expects a network backend id");
                return 1;
            }
            PcapWriter writer;
            try
            {
                writer = new PcapWriter(dump.File, dump.MaxLen);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"{program}: {o.Option} {o.Value}: cannot write {dump.File}: {e.Message}");
                return 1;
            }
            _captures.Add(writer);
            foreach (var c in clients)
            {
                _driver.Capture(c, writer);
            }
        }
        return 0;
    }

    /// <summary>The driver every step goes through (the control socket's changes too).</summary>
    public CoreDriver Driver => _driver;

    /// <summary>An <c>-object filter-ratelimit</c> (docs/rate-limits.md): 0, or 1 with the message printed.</summary>
    private int AddRateLimit(string program, NetdevArgument o, TextWriter stderr)
    {
        var (limit, error) = FilterRateLimitOptions.Parse(o.Value);
        if (error is not null)
        {
            stderr.WriteLine($"{program}: {o.Option} {o.Value}: {error}");
            return 1;
        }
        error = _driver.AddRateLimit(limit!.Id, limit.Netdev, limit.Direction, limit.Settings);
        if (error is not null)
        {
            // As for filter-dump: QEMU reports what completing the object found without the option's location.
            stderr.WriteLine($"{program}: {error}");
            return 1;
        }
        return 0;
    }

    /// <summary>
    /// Forwards until stopped, then deletes every netdev (down scripts run once). With <paramref name="stats"/>,
    /// rates are printed every <paramref name="statsInterval"/>; the totals are printed at exit in any case.
    /// </summary>
    public void RunUntilStopped(StatsReporter? stats = null, TimeSpan? statsInterval = null)
    {
        // Every netdev is built, captures attached and offloads planned: what a dependent unit waits for.
        notifier?.Ready(stack.Clients.Select(c => c.Name).Distinct().Count());
        try
        {
            if (stats is not null && statsInterval is { } interval)
            {
                loop.Run(stats.Tick, interval);
            }
            else
            {
                loop.Run();
            }
            stats?.Summary();
            _driver.Stopped(loop.StopSignal ?? 0);
        }
        finally
        {
            // Before the deletion, which runs down scripts and may take a while (a stopped loop, not a hung one).
            notifier?.Stopping();
            _driver.DeleteAll();
            foreach (var c in _captures)
            {
                c.Dispose();
            }
        }
    }
}
