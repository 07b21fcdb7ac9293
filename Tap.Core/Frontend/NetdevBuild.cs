using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;

namespace Tap.Core.Frontend;

/// <summary>
/// Turns a command line's <c>-netdev</c> arguments into netdevs the way QEMU does, once for every front end
/// (<c>tapnet</c>, <c>tapnet demo</c>, simulated and recorded runs): every argument is parsed and its id checked
/// against the others before any backend exists (O3, O6); the JSON ones are built first, then the rest, each in
/// command-line order; the first failure stops the build and runs the exit notifiers of what was made, as QEMU's
/// <c>exit(1)</c> does (R41); after a complete build come the warnings about clients without a peer (Q26).
/// </summary>
public static class NetdevBuild
{
    /// <summary>
    /// Builds <paramref name="arguments"/> through <paramref name="driver"/>; messages start with
    /// <paramref name="program"/>.
    /// </summary>
    public static NetdevBuildResult Run(CoreDriver driver, string program, IReadOnlyList<NetdevArgument> arguments)
    {
        var messages = new List<string>();
        var parsed = new List<(int Index, NetdevArgument Arg, NetdevOptions Options)>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (int index = 0; index < arguments.Count; index++)
        {
            var a = arguments[index];
            var r = NetdevParser.Parse(a.Value);
            foreach (var w in r.Warnings)
            {
                messages.Add(w.Kind == DiagnosticKind.Raw
                    ? w.Message
                    : $"{program}: {a.Option} {a.Value}: warning: {w.Message}");
            }
            if (r.HelpText is { } help)
            {
                return new NetdevBuildResult(NetdevBuildStatus.Help, help, messages);
            }
            if (r.Error is { } error)
            {
                return Failed(messages, $"{program}: {a.Option} {a.Value}: {error}");
            }
            var options = r.Options!;
            if (!ids.Add(options.Id))
            {
                return Failed(messages, $"{program}: {a.Option} {a.Value}: Duplicate ID '{options.Id}' for netdev");
            }
            parsed.Add((index, a, options));
        }

        static bool IsJson(NetdevArgument a) => a.Value.StartsWith('{');
        foreach (var (index, a, options) in parsed.Where(p => IsJson(p.Arg)).Concat(parsed.Where(p => !IsJson(p.Arg))))
        {
            var result = driver.CreateNetdev(index, options);
            if (!result.Ok)
            {
                messages.Add($"{program}: {a.Option} {a.Value}: {result.Error}");
                driver.RunExitNotifiers();
                return new NetdevBuildResult(NetdevBuildStatus.Failed, null, messages);
            }
        }

        foreach (var w in ClientCheck.Warnings(driver.Stack))
        {
            messages.Add($"{program}: warning: {w}");
        }
        return new NetdevBuildResult(NetdevBuildStatus.Built, null, messages);
    }

    private static NetdevBuildResult Failed(List<string> messages, string error)
    {
        messages.Add(error);
        return new NetdevBuildResult(NetdevBuildStatus.Failed, null, messages);
    }
}
