using System.Globalization;

namespace Tap.Bench;

/// <summary><c>bench [--seconds S]</c>: the packet path in the simulator; <c>campaign A..B [--swarm]</c>: simulation runs per second.</summary>
public static class BenchProgram
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length > 0 && args[0] == "micro")
        {
            // BenchmarkDotNet: tap -> peer and peer -> tap in the simulator, with MemoryDiagnoser.
            BenchmarkDotNet.Running.BenchmarkRunner.Run<PacketPathMicro>(args: args[1..]);
            return 0;
        }
        if (args.Length >= 2 && args[0] == "campaign")
        {
            // Simulation campaign throughput: campaign A..B [--swarm].
            var range = args[1].Split("..");
            return CampaignBenchmark.Run(ulong.Parse(range[0], CultureInfo.InvariantCulture), ulong.Parse(range[^1], CultureInfo.InvariantCulture),
                args.Contains("--swarm"), stdout);
        }
        if (args.Length == 0 || args[0] != "bench")
        {
            stderr.WriteLine("usage: Tap.Bench bench [--seconds S] | micro | campaign A..B [--swarm]   (one simulation run: tapnet sim --seed N)");
            return 2;
        }
        int i = Array.IndexOf(args, "--seconds");
        double seconds = i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], CultureInfo.InvariantCulture) : 3.0;
        return PacketPathBenchmark.Run(seconds, stdout);
    }
}
