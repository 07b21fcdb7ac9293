using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;
using Tap.Core.Trace;

namespace Tap.Cli;

/// <summary>
/// Builds the netdevs of a command line in QEMU's order, runs the loop, and cleans up exactly once. Parsing and
/// duplicate ids are checked for every argument before any backend exists (O3, O6). Every step goes through a
/// <see cref="CoreDriver"/>, so that with <c>--trace</c> each is an event of the trace.
/// </summary>
public sealed class NetdevRunner(NetStack stack, IOsNet os, NetdevEnvironment env, IRunLoop loop, ITraceEvents? trace = null)
{
    private readonly CoreDriver _driver = new(stack, os, env, trace);

    /// <summary>Builds everything; 0 when the netdevs exist, 1 (with the message printed) when one failed.</summary>
    public int Build(string program, IReadOnlyList<NetdevArgument> arguments, TextWriter stdout, TextWriter stderr)
    {
        var parsed = new List<(int Index, NetdevArgument Arg, NetdevOptions Options, bool Json)>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (int index = 0; index < arguments.Count; index++)
        {
            var a = arguments[index];
            var r = NetdevParser.Parse(a.Value);
            foreach (var w in r.Warnings)
            {
                stderr.WriteLine(w.Kind == DiagnosticKind.Raw ? w.Message : $"{program}: {a.Option} {a.Value}: warning: {w.Message}");
            }
            if (r.HelpText is { } help)
            {
                stdout.Write(help);
                return -1;
            }
            if (r.Error is { } error)
            {
                stderr.WriteLine($"{program}: {a.Option} {a.Value}: {error}");
                return 1;
            }
            var options = r.Options!;
            if (!ids.Add(options.Id))
            {
                stderr.WriteLine($"{program}: {a.Option} {a.Value}: Duplicate ID '{options.Id}' for netdev");
                return 1;
            }
            parsed.Add((index, a, options, a.Value.StartsWith('{')));
        }

        foreach (var (index, a, options, _) in parsed.Where(p => p.Json).Concat(parsed.Where(p => !p.Json)))
        {
            var result = _driver.CreateNetdev(index, options);
            if (!result.Ok)
            {
                stderr.WriteLine($"{program}: {a.Option} {a.Value}: {result.Error}");
                // QEMU exits through exit(), whose notifiers run the down scripts of netdevs already made (R41).
                _driver.RunExitNotifiers();
                return 1;
            }
        }

        foreach (var w in ClientCheck.Warnings(stack))
        {
            stderr.WriteLine($"{program}: warning: {w}");
        }
        return 0;
    }

    /// <summary>GSO end to end on hubs of vnet taps (docs/differences.md#gso-hubs); after captures are attached, which rule it out.</summary>
    public void PlanOffloads(bool enabled)
    {
        if (enabled)
        {
            _driver.PlanOffloads();
        }
    }

    private readonly List<PcapWriter> _captures = new();

    /// <summary>As QEMU's exit(1) after the netdevs exist: the down scripts of the netdevs already made run (R41).</summary>
    public void ExitWithNetdevs() => _driver.RunExitNotifiers();

    /// <summary>
    /// Attaches the <c>-object filter-dump</c> captures after the netdevs exist (QEMU creates such objects late).
    /// 0, or 1 with QEMU's message printed.
    /// </summary>
    public int AttachCaptures(string program, IReadOnlyList<NetdevArgument> objects, TextWriter stderr)
    {
        foreach (var o in objects)
        {
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

    /// <summary>
    /// Forwards until stopped, then deletes every netdev (down scripts run once). With <paramref name="stats"/>,
    /// rates are printed every <paramref name="statsInterval"/>; the totals are printed at exit in any case.
    /// </summary>
    public void RunUntilStopped(StatsReporter? stats = null, TimeSpan? statsInterval = null)
    {
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
            _driver.DeleteAll();
            foreach (var c in _captures)
            {
                c.Dispose();
            }
        }
    }
}
