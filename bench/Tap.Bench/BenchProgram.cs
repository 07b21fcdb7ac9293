using System.Globalization;
using Tap.Sim.Scenarios;

namespace Tap.Bench;

/// <summary>
/// <c>sim --seed N [--steps K] [--no-faults]</c> runs one simulated data-path scenario and prints its summary;
/// <c>sim --seeds A..B</c> runs a campaign; <c>bench [--seconds S]</c> measures the packet path in the simulator.
/// </summary>
public static class BenchProgram
{
    private const string Usage = """
usage: Tap.Bench sim --seed N [--steps K] [--no-faults]
       Tap.Bench sim --seeds A..B [--steps K] [--no-faults]
       Tap.Bench bench [--seconds S]
""";

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            stdout.Write(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            return args[0] switch
            {
                "sim" => Sim(args[1..], stdout),
                "bench" => PacketPathBenchmark.Run(Option(args, "--seconds") is { } s ? double.Parse(s, CultureInfo.InvariantCulture) : 3.0, stdout),
                _ => UsageError(stderr, $"unknown command '{args[0]}'"),
            };
        }
        catch (FormatException e)
        {
            return UsageError(stderr, e.Message);
        }
    }

    private static int UsageError(TextWriter stderr, string message)
    {
        stderr.WriteLine($"Tap.Bench: {message}");
        stderr.Write(Usage);
        return 2;
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int Sim(string[] args, TextWriter stdout)
    {
        int steps = Option(args, "--steps") is { } k ? int.Parse(k, CultureInfo.InvariantCulture) : 2000;
        bool faults = !args.Contains("--no-faults");
        ulong first, last;
        if (Option(args, "--seed") is { } one)
        {
            first = last = ulong.Parse(one, CultureInfo.InvariantCulture);
        }
        else if (Option(args, "--seeds") is { } range && range.Split("..") is [var a, var b])
        {
            first = ulong.Parse(a, CultureInfo.InvariantCulture);
            last = ulong.Parse(b, CultureInfo.InvariantCulture);
        }
        else
        {
            throw new FormatException("sim needs --seed N or --seeds A..B");
        }

        int failed = 0;
        for (ulong seed = first; ; seed++)
        {
            // The seed comes first, so that a crash still says what to replay.
            stdout.WriteLine($"seed {seed}");
            var r = DataPathScenario.Run(seed, steps, faults, keepRecord: first == last);
            stdout.WriteLine($"  setup    {r.Setup}");
            stdout.WriteLine($"  host->guest  sent {r.HostToGuestSent}  delivered {r.HostToGuestDelivered}  lost (counted) {r.HostToGuestLost}");
            stdout.WriteLine($"  guest->host  sent {r.GuestToHostSent}  delivered {r.GuestToHostDelivered}  lost (counted) {r.GuestToHostLost}");
            stdout.WriteLine($"  stalls   EAGAIN {r.EagainStalls}  peer back-pressure {r.BackpressureStalls}");
            stdout.WriteLine($"  record   {r.RecordLines} lines  sha256 {r.Digest}");
            if (!r.Ok)
            {
                failed++;
                stdout.WriteLine($"  INVARIANT VIOLATED: {r.Violation}");
                stdout.WriteLine($"  replay: {r.ReplayCommand}");
                foreach (var line in r.RecordTail)
                {
                    stdout.WriteLine($"    | {line}");
                }
            }
            else
            {
                stdout.WriteLine("  ok: every invariant held");
            }
            if (seed == last)
            {
                break;
            }
        }
        if (first != last)
        {
            stdout.WriteLine($"{last - first + 1 - (ulong)failed} passed, {failed} failed");
        }
        return failed == 0 ? 0 : 1;
    }
}
