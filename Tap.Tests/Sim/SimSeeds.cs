using Tap.Sim;
using Tap.Sim.Scenarios;
using Tap.Tests.Properties;

namespace Tap.Tests.Sim;

/// <summary>
/// Seeds for simulated runs in tests: fresh ones each time from a master seed (so CI keeps exploring), or the one in
/// TAPNET_SEED; and the failure text that names the seed and the commands that replay it.
/// </summary>
internal static class SimSeeds
{
    /// <summary><paramref name="count"/> seeds (times TAPNET_PROPERTY_SCALE), or just TAPNET_SEED when set.</summary>
    public static IReadOnlyList<ulong> Choose(int count)
    {
        var fixedSeed = Environment.GetEnvironmentVariable("TAPNET_SEED");
        if (fixedSeed is not null)
        {
            return [ulong.Parse(fixedSeed, System.Globalization.CultureInfo.InvariantCulture)];
        }
        var r = new SimRandom((ulong)System.Random.Shared.NextInt64());
        return Enumerable.Range(0, count * PropertyRun.Scale).Select(_ => r.NextUInt64()).ToList();
    }

    /// <summary>What a failed run prints: seed, violation, the seed's draw, and how to run it again.</summary>
    public static string Failure(ScenarioResult r, string testClass) =>
        $"seed {r.Seed}: {r.Violation}\nsetup: {r.Setup}\nworkload: {r.Workload}\n" +
        $"replay: TAPNET_SEED={r.Seed} dotnet test Tap.Tests --filter \"FullyQualifiedName~{testClass}\"\n" +
        $"    or: {r.ReplayCommand}";
}
