using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;

namespace Tap.Cli;

/// <summary>
/// Builds the netdevs of a command line in QEMU's order, runs the loop, and cleans up exactly once. Parsing and
/// duplicate ids are checked for every argument before any backend exists (O3, O6).
/// </summary>
public sealed class NetdevRunner(NetStack stack, IOsNet os, NetdevEnvironment env, IRunLoop loop)
{
    /// <summary>Builds everything; 0 when the netdevs exist, 1 (with the message printed) when one failed.</summary>
    public int Build(string program, IReadOnlyList<NetdevArgument> arguments, TextWriter stdout, TextWriter stderr, bool offload = true)
    {
        var parsed = new List<(NetdevArgument Arg, NetdevOptions Options, bool Json)>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in arguments)
        {
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
            parsed.Add((a, options, a.Value.StartsWith('{')));
        }

        foreach (var (a, options, _) in parsed.Where(p => p.Json).Concat(parsed.Where(p => !p.Json)))
        {
            var result = NetdevFactory.Create(stack, os, env, options);
            if (!result.Ok)
            {
                stderr.WriteLine($"{program}: {a.Option} {a.Value}: {result.Error}");
                // QEMU exits through exit(), whose notifiers run the down scripts of netdevs already made (R41).
                stack.RunExitNotifiers();
                return 1;
            }
        }

        foreach (var w in ClientCheck.Warnings(stack))
        {
            stderr.WriteLine($"{program}: warning: {w}");
        }
        if (offload)
        {
            Tap.Core.Backend.HubOffloadPlanner.Apply(stack);
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
        }
        finally
        {
            stack.DeleteAll();
        }
    }
}
