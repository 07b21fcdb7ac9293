using System.Globalization;
using Tap.Sim;
using Tap.Sim.Scenarios;

namespace Tap.Cli;

/// <summary>
/// <c>tapnet sim</c>: simulated data-path runs that check every invariant as they go. One seed prints a summary and
/// the record's SHA-256; a range of seeds runs a campaign with a progress bar. A broken invariant prints the seed and
/// the command that replays it, and the exit status is 1.
/// </summary>
internal static class SimCommand
{
    public static int Run(string program, string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Any(a => a is "-h" or "--help"))
        {
            stdout.WriteLine(HelpText.Sim);
            return 0;
        }
        try
        {
            var options = Parse(args);
            return options.TracePath is null ? RunParsed(options, stdout) : RunTraced(options, stdout, stderr, program);
        }
        catch (FormatException e)
        {
            stderr.WriteLine($"{program}: sim: {e.Message} (try tapnet sim --help)");
            return 2;
        }
    }

    private sealed record Options(ulong First, ulong Last, int Steps, IReadOnlyList<FaultSite> Faults)
    {
        public bool Swarm { get; init; }

        public ScenarioOptions Scenario(bool keepRecord) =>
            new() { Steps = Steps, FaultSites = Faults, Swarm = Swarm, KeepRecord = keepRecord };

        public string? TracePath { get; init; }
        public Tap.Trace.TracePayloads Payloads { get; init; }
        public List<string> Netdevs { get; } = new();
    }

    private static Options Parse(string[] args)
    {
        ulong? first = null, last = null;
        int? stepsGiven = null;
        string? trace = null;
        var payloads = Tap.Trace.TracePayloads.Full;
        var netdevs = new List<string>();
        IReadOnlyList<FaultSite> faults = DataPathScenario.AllFaultSites;
        bool swarm = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--seed":
                    first = last = ParseSeed(Value());
                    break;
                case "--seeds":
                    var range = Value().Split("..");
                    if (range.Length != 2)
                    {
                        throw new FormatException("--seeds takes A..B");
                    }
                    (first, last) = (ParseSeed(range[0]), ParseSeed(range[1]));
                    if (last < first)
                    {
                        throw new FormatException("--seeds A..B needs A <= B");
                    }
                    break;
                case "--steps":
                    stepsGiven = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int k)
                        && k > 0 ? k : throw new FormatException("--steps takes a positive number");
                    break;
                case "--trace":
                    trace = Value();
                    break;
                case var t when CliArguments.PayloadsOption(t) is { } mode:
                    payloads = mode;
                    break;
                case "-netdev" or "--netdev":
                    netdevs.Add(Value());
                    break;
                case "--swarm":
                    swarm = true;
                    break;
                case "--faults":
                    faults = ParseFaults(Value());
                    break;
                default:
                    throw new FormatException($"unknown option '{args[i]}'");
            }
        }
        if (first is null)
        {
            throw new FormatException("give --seed N or --seeds A..B");
        }
        if (trace is not null && first != last)
        {
            throw new FormatException("--trace records one run: give --seed N, not --seeds");
        }
        if (trace is not null && swarm)
        {
            throw new FormatException("--swarm draws data-path runs; it does not go with --trace");
        }
        if (trace is null && netdevs.Count > 0)
        {
            throw new FormatException("-netdev goes with --trace (the data-path scenario has its own topology)");
        }
        var options = new Options(first.Value, last!.Value, stepsGiven ?? (trace is null ? 2000 : 400), faults)
        {
            TracePath = trace,
            Payloads = payloads,
            Swarm = swarm,
        };
        options.Netdevs.AddRange(netdevs);
        return options;
    }

    private static ulong ParseSeed(string text) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong s) ? s
            : throw new FormatException($"'{text}' is not a seed (a whole number)");

    /// <summary><c>none</c>, <c>all</c>, or a comma list of fault sites.</summary>
    private static IReadOnlyList<FaultSite> ParseFaults(string text)
    {
        if (text == "none")
        {
            return Array.Empty<FaultSite>();
        }
        if (text == "all")
        {
            return DataPathScenario.AllFaultSites;
        }
        var sites = new List<FaultSite>();
        foreach (var name in text.Split(','))
        {
            sites.Add(Enum.TryParse<FaultSite>(name, ignoreCase: true, out var site)
                ? site
                : throw new FormatException(
                    $"unknown fault '{name}'; known: none, all, {string.Join(", ", Enum.GetNames<FaultSite>())}"));
        }
        return sites;
    }

    private static int RunTraced(Options o, TextWriter stdout, TextWriter stderr, string program)
    {
        var netdevs = o.Netdevs.Count > 0 ? o.Netdevs : (IReadOnlyList<string>)TracedNetdevRun.DefaultNetdevs;
        FileTraceSink sink;
        try
        {
            sink = new FileTraceSink(o.TracePath!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"{program}: sim: --trace {o.TracePath}: cannot write the trace: {e.Message}");
            return 2;
        }
        long records;
        using (sink)
        {
            records = TracedNetdevRun.Run(o.First, netdevs, o.Steps, sink, o.Payloads,
                tapnetVersion: typeof(SimCommand).Assembly.GetName().Version?.ToString(3) ?? "");
        }
        byte[] bytes = File.ReadAllBytes(o.TracePath!);
        stdout.WriteLine($"seed {o.First}: {netdevs.Count} netdevs, {o.Steps} steps on the simulated kernel");
        stdout.WriteLine(
            $"  trace        {o.TracePath}: {records} records, {bytes.Length} bytes, sha256 " +
            $"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))}");
        stdout.WriteLine($"  replay       tapnet replay {o.TracePath}");
        return 0;
    }

    private static int RunParsed(Options o, TextWriter stdout)
    {
        if (o.First == o.Last)
        {
            stdout.WriteLine($"seed {o.First}");   // first, so that even a crash names its seed
            var r = DataPathScenario.Run(o.First, o.Scenario(keepRecord: true));
            Summary(stdout, r);
            return r.Ok ? 0 : 1;
        }

        bool terminal = !Console.IsOutputRedirected
            && ReferenceEquals((stdout as UnfailingWriter)?.Inner ?? stdout, Console.Out);
        ulong total = o.Last - o.First + 1;
        stdout.WriteLine(
            $"seeds {o.First}..{o.Last}{(o.Swarm ? ", swarm" : "")}, {o.Steps} steps each, then the faults stop and " +
            "every queue must drain");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int failed = 0;
        int lastTenth = -1;
        for (ulong seed = o.First; ; seed++)
        {
            var r = DataPathScenario.Run(seed, o.Scenario(keepRecord: false));
            if (!r.Ok)
            {
                failed++;
                if (terminal)
                {
                    stdout.WriteLine();
                }
                stdout.WriteLine($"seed {seed}: INVARIANT VIOLATED: {r.Violation}");
                stdout.WriteLine($"  setup: {r.Setup}");
                stdout.WriteLine($"  workload: {r.Workload}");
                stdout.WriteLine($"  replay: {r.ReplayCommand}");
            }
            ulong done = seed - o.First + 1;
            if (terminal)
            {
                int width = 30;
                int filled = (int)(done * (ulong)width / total);
                stdout.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] " +
                    $"{done}/{total} seeds, {failed} failed");
            }
            else if ((int)(done * 10 / total) != lastTenth)
            {
                lastTenth = (int)(done * 10 / total);
                stdout.WriteLine($"{done}/{total} seeds, {failed} failed");
            }
            if (seed == o.Last)
            {
                break;
            }
        }
        if (terminal)
        {
            stdout.WriteLine();
        }
        double seconds = clock.Elapsed.TotalSeconds;
        stdout.WriteLine(
            string.Create(CultureInfo.InvariantCulture,
                $"{total - (ulong)failed} passed, {failed} failed ({seconds:0.0} s, " +
                $"{total / Math.Max(seconds, 1e-9):0} seeds/s)"));
        return failed == 0 ? 0 : 1;
    }

    private static void Summary(TextWriter stdout, ScenarioResult r)
    {
        stdout.WriteLine($"  setup        {r.Setup}");
        stdout.WriteLine($"  workload     {r.Workload}");
        if (r.AtFaultStop is var (stopToGuest, stopToHost))
        {
            stdout.WriteLine(
                $"  faults stop  after step {r.Options.Steps}; drained in {r.DrainIterations} of at most " +
                $"{r.DrainIterationsMax} loop iterations");
            stdout.WriteLine($"    then       host->guest  {stopToGuest}");
            stdout.WriteLine($"               guest->host  {stopToHost}");
        }
        stdout.WriteLine($"  host->guest  {r.HostToGuest}");
        stdout.WriteLine($"  guest->host  {r.GuestToHost}");
        stdout.WriteLine($"  stalls       EAGAIN {r.EagainStalls}  peer back-pressure {r.BackpressureStalls}");
        stdout.WriteLine($"  record       {r.RecordLines} lines  sha256 {r.Digest}");
        if (r.Ok)
        {
            stdout.WriteLine("  ok: every invariant held, every frame accounted for");
            return;
        }
        stdout.WriteLine($"  INVARIANT VIOLATED: {r.Violation}");
        stdout.WriteLine($"  replay: {r.ReplayCommand}");
        foreach (var line in r.RecordTail)
        {
            stdout.WriteLine($"    | {line}");
        }
    }
}
