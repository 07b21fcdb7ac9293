using System.Diagnostics;
using System.Globalization;
using Tap.Sim.Scenarios;

namespace Tap.Bench;

/// <summary>
/// Simulated data-path runs per second, wall clock and CPU (the machine is shared, so CPU time is the steadier
/// figure): the same runs as <c>tapnet sim --seeds A..B [--swarm]</c>, without the progress output. Prints
/// figures; asserts nothing beyond counting violations.
/// </summary>
public static class CampaignBenchmark
{
    public static int Run(ulong first, ulong last, bool swarm, TextWriter stdout)
    {
        var options = new ScenarioOptions { Swarm = swarm, KeepRecord = false };
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        long failed = 0, frames = 0;
        for (ulong seed = first; seed <= last; seed++)
        {
            var r = DataPathScenario.Run(seed, options);
            frames += r.HostToGuestSent + r.GuestToHostSent;
            if (!r.Ok)
            {
                failed++;
                stdout.WriteLine($"seed {seed}: {r.Violation}\n  replay: {r.ReplayCommand}");
            }
        }
        clock.Stop();
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        double wall = clock.Elapsed.TotalSeconds;
        ulong seeds = last - first + 1;
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seeds {first}..{last}{(swarm ? " swarm" : "")}: {failed} failed; {wall:0.0} s wall ({seeds / wall:0} seeds/s), {cpu:0.0} s CPU ({seeds / cpu:0} seeds/CPU-s, {cpu * 1000 / seeds:0.00} ms each), {frames} frames"));
        return failed == 0 ? 0 : 1;
    }
}
