using System.Globalization;

namespace Tap.Bench;

/// <summary><c>bench [--seconds S]</c>: the packet path in the simulator. Simulation runs are <c>tapnet sim</c>.</summary>
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
        if (args.Length == 0 || args[0] != "bench")
        {
            stderr.WriteLine("usage: Tap.Bench bench [--seconds S] | micro   (simulation runs: tapnet sim --seed N)");
            return 2;
        }
        int i = Array.IndexOf(args, "--seconds");
        double seconds = i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], CultureInfo.InvariantCulture) : 3.0;
        return PacketPathBenchmark.Run(seconds, stdout);
    }
}
