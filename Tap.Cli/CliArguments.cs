using Tap.Core.Frontend;

namespace Tap.Cli;

/// <summary>The command line of <c>tapnet</c>.</summary>
public sealed record CliArguments
{
    public List<NetdevArgument> Netdevs { get; } = new();

    /// <summary>The <c>-object</c> arguments (filter-dump), as typed.</summary>
    public List<NetdevArgument> Objects { get; } = new();
    public bool Help { get; init; }

    /// <summary>Seconds between stats lines, or null for no periodic stats.</summary>
    public double? StatsSeconds { get; init; }

    /// <summary>Stats (and the exit summary) as JSON lines.</summary>
    public bool StatsJson { get; init; }

    /// <summary>
    /// Keep vnet headers end to end and enable GSO offloads on hubs whose ports are all vnet taps (default on).
    /// </summary>
    public bool Offload { get; init; } = true;

    /// <summary>How the loop moves frames on a real host (<c>--io=epoll|uring</c>); epoll by default: io_uring
    /// measured faster but short of issue 13's goals for it, which then keep it off by default (io-uring.md).</summary>
    public Tap.Linux.IoMode Io { get; init; }
    public bool Version { get; init; }

    /// <summary>Where <c>--metrics=HOST:PORT</c> serves the tapnet meter in Prometheus' text format, or null.</summary>
    public MetricsAddress? Metrics { get; init; }

    /// <summary><c>--runas USER[:GROUP]</c> as typed (resolved by the caller), or null.</summary>
    public string? RunAs { get; init; }

    /// <summary>Where <c>--control=PATH</c> listens for live changes (docs/rate-limits.md), or null.</summary>
    public string? ControlPath { get; init; }

    /// <summary>Where <c>--trace</c> records the run, or null.</summary>
    public string? TracePath { get; init; }

    /// <summary>How the trace keeps payloads (<c>--trace-payloads=full|hash</c>).</summary>
    public Tap.Trace.TracePayloads TracePayloads { get; init; }

    /// <summary><c>--trace-payloads=full|hash</c>, or null for anything else.</summary>
    public static Tap.Trace.TracePayloads? PayloadsOption(string arg) => arg switch
    {
        "--trace-payloads=full" => Tap.Trace.TracePayloads.Full,
        "--trace-payloads=hash" => Tap.Trace.TracePayloads.Hash,
        _ => null,
    };

    /// <summary>Parses argv; returns the arguments or a usage error (without the program prefix).</summary>
    public static (CliArguments? Args, string? Error) Parse(IReadOnlyList<string> argv)
    {
        var result = new CliArguments();
        bool help = false, version = false, offload = true, statsJson = false;
        double? stats = null;
        string? trace = null, runAs = null, control = null;
        MetricsAddress? metrics = null;
        var payloads = Tap.Trace.TracePayloads.Full;
        var io = Tap.Linux.IoMode.Epoll;
        for (int i = 0; i < argv.Count; i++)
        {
            string a = argv[i];
            switch (a)
            {
                case "-h" or "-help" or "--help":
                    help = true;
                    break;
                case "-version" or "--version":
                    version = true;
                    break;
                case "--stats":
                    stats = 1;
                    break;
                case "--stats-json":
                    statsJson = true;
                    stats ??= 1;
                    break;
                case var s when s.StartsWith("--stats=", StringComparison.Ordinal):
                    if (!double.TryParse(s["--stats=".Length..], System.Globalization.NumberStyles.Float,
                        System.Globalization.CultureInfo.InvariantCulture, out double secs) || secs <= 0)
                    {
                        return (null, $"{s}: expects a positive number of seconds");
                    }
                    stats = secs;
                    break;
                case "--trace":
                    if (i + 1 >= argv.Count)
                    {
                        return (null, $"{a}: requires a file name");
                    }
                    trace = argv[++i];
                    break;
                case var t when t.StartsWith("--trace=", StringComparison.Ordinal):
                    trace = t["--trace=".Length..];
                    if (trace.Length == 0)
                    {
                        return (null, "--trace: requires a file name");
                    }
                    break;
                case var t when t.StartsWith("--trace-payloads", StringComparison.Ordinal):
                    if (PayloadsOption(t) is not { } mode)
                    {
                        return (null, $"{t}: expects --trace-payloads=full or --trace-payloads=hash");
                    }
                    payloads = mode;
                    break;
                case var m when m.StartsWith("--metrics=", StringComparison.Ordinal):
                    metrics = MetricsAddress.Parse(m["--metrics=".Length..]);
                    if (metrics is null)
                    {
                        return (null, $"{m}: expects --metrics=HOST:PORT (a port from 1 to 65535)");
                    }
                    break;
                case "--runas":
                    if (i + 1 >= argv.Count)
                    {
                        return (null, $"{a}: requires a user (USER, USER:GROUP or UID:GID)");
                    }
                    runAs = argv[++i];
                    break;
                case var r when r.StartsWith("--runas=", StringComparison.Ordinal):
                    runAs = r["--runas=".Length..];
                    break;
                case var c when c.StartsWith("--control=", StringComparison.Ordinal):
                    control = c["--control=".Length..];
                    if (control.Length == 0)
                    {
                        return (null, "--control: requires a socket path");
                    }
                    break;
                case "--offload=on":
                    offload = true;
                    break;
                case "--offload=off":
                    offload = false;
                    break;
                case "--io=epoll":
                    io = Tap.Linux.IoMode.Epoll;
                    break;
                case "--io=uring":
                    io = Tap.Linux.IoMode.Uring;
                    break;
                case var o when o.StartsWith("--io", StringComparison.Ordinal):
                    return (null, $"{o}: expects --io=epoll or --io=uring");
                case "-object" or "--object":
                    if (i + 1 >= argv.Count)
                    {
                        return (null, $"{a}: requires an argument");
                    }
                    result.Objects.Add(new NetdevArgument(a, argv[++i]));
                    break;
                case "-netdev" or "--netdev":
                    if (i + 1 >= argv.Count)
                    {
                        return (null, $"{a}: requires an argument");
                    }
                    result.Netdevs.Add(new NetdevArgument(a, argv[++i]));
                    break;
                default:
                    if (a.StartsWith("-netdev=", StringComparison.Ordinal)
                        || a.StartsWith("--netdev=", StringComparison.Ordinal))
                    {
                        int eq = a.IndexOf('=');
                        result.Netdevs.Add(new NetdevArgument(a[..eq], a[(eq + 1)..]));
                        break;
                    }
                    return (null, $"{a}: invalid option (try --help)");
            }
        }
        return (result with { Help = help, Version = version, Offload = offload, StatsSeconds = stats,
            StatsJson = statsJson, TracePath = trace, TracePayloads = payloads, Metrics = metrics,
            RunAs = runAs, ControlPath = control, Io = io }, null);
    }
}
