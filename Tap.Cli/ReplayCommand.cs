using Tap.Core.Os;
using Tap.Trace;

namespace Tap.Cli;

/// <summary>
/// <c>tapnet replay FILE</c>: runs the recorded core again against the recorded kernel. No root, no TUN, no child
/// process; the same trace gives the same outcome every time.
/// </summary>
internal static class ReplayCommand
{
    /// <summary>Exit status of a replay that diverged.</summary>
    public const int Diverged = 1;

    /// <summary>Exit status of a usage error.</summary>
    public const int Usage = 2;

    /// <summary>Exit status of a trace that cannot be read, is damaged, or was cut short.</summary>
    public const int BadTrace = 3;

    /// <summary>Exit status when the core itself failed during the replay (a bug: please report the trace).</summary>
    public const int CoreFailed = 4;

    public static int Run(string program, string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Any(a => a is "-h" or "--help"))
        {
            stdout.WriteLine(HelpText.Replay);
            return 0;
        }
        bool quiet = args.Contains("--quiet");
        var files = args.Where(a => a != "--quiet").ToList();
        var unknown = files.FirstOrDefault(a => a.StartsWith('-') && a.Length > 1);
        if (unknown is not null || files.Count != 1)
        {
            stderr.WriteLine(unknown is not null
                ? $"{program}: replay: unknown option '{unknown}' (try tapnet replay --help)"
                : $"{program}: replay: give one trace file (try tapnet replay --help)");
            return Usage;
        }
        string path = files[0];
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"{program}: replay: cannot read {path}: {e.Message}");
            return BadTrace;
        }

        TraceFile trace;
        try
        {
            trace = TraceFile.Parse(bytes);
        }
        catch (TraceFormatException e)
        {
            stderr.WriteLine($"{program}: replay: {path}: {e.Message}");
            return BadTrace;
        }

        var h = trace.Header;
        if (!quiet)
        {
            stdout.WriteLine(
                $"replay: {path}: recorded by tapnet {h.TapnetVersion} on kernel " +
                $"{h.Kernel}{(h.Seed is { } s ? $", seed {s}" : "")}, payloads " +
                $"{(h.Payloads == TracePayloads.Full ? "in full" : "as hashes")}");
            foreach (var n in h.Netdevs)
            {
                stdout.WriteLine($"replay:   {n.Option} {n.Value}");
            }
        }
        ReplayOutcome outcome;
        try
        {
            // The recorded diagnostics are shown as the recorded run printed them.
            Action<Diagnostic>? report = quiet ? null : d => stdout.WriteLine("replay: | " + d.Format(program));
            // ... and a netdev that failed as tapnet printed it: "tapnet: -netdev ARG: MESSAGE".
            Action<int, string>? failed = quiet ? null : (i, message) =>
                stdout.WriteLine($"replay: | {program}: {h.Netdevs[i].Option} {h.Netdevs[i].Value}: {message}");
            outcome = TraceReplayer.Replay(trace, report, netdevFailed: failed);
        }
        catch (Exception e)
        {
            stderr.WriteLine(
                $"{program}: replay: {path}: the core failed during the replay ({e.GetType().Name}: {e.Message}); " +
                "this is a tapnet bug, please report it with the trace");
            return CoreFailed;
        }

        switch (outcome.Verdict)
        {
            case ReplayVerdict.Matched:
                stdout.WriteLine($"replay: ok: {outcome.Message}");
                return 0;
            case ReplayVerdict.Diverged:
                stderr.WriteLine($"{program}: replay: {path}: {outcome.Message}");
                return Diverged;
            default:
                stderr.WriteLine($"{program}: replay: {path}: {outcome.Message}");
                return BadTrace;
        }
    }
}
