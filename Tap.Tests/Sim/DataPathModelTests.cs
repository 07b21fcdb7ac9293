using Tap.Sim.Scenarios;
using Tap.Tests.Properties;
using Xunit.Abstractions;

namespace Tap.Tests.Sim;

/// <summary>
/// Model-based data-path runs in the simulator (tap-backend.md I1-I12, R11-R27, net-queue.md Q6-Q14). Each run's
/// seed is printed on failure with the command that replays it. TAPNET_SEED=N runs just that seed.
/// </summary>
public sealed class DataPathModelTests(ITestOutputHelper output)
{
    private const int Runs = 150;
    private const int Steps = 1500;

    [Fact(DisplayName = "I1-I12: random data-path runs keep every invariant (exactly once, in order, or counted)")]
    public void RandomRuns()
    {
        var fixedSeed = Environment.GetEnvironmentVariable("TAPNET_SEED");
        var seeds = new List<ulong>();
        if (fixedSeed is not null)
        {
            seeds.Add(ulong.Parse(fixedSeed, System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            var master = (ulong)System.Random.Shared.NextInt64();
            output.WriteLine($"master seed {master}");
            var r = new Tap.Sim.SimRandom(master);
            for (int i = 0; i < Runs * PropertyRun.Scale; i++)
            {
                seeds.Add(r.NextUInt64());
            }
        }

        long delivered = 0, lost = 0;
        foreach (var seed in seeds)
        {
            var result = DataPathScenario.Run(seed, Steps);
            if (!result.Ok)
            {
                Assert.Fail($"seed {seed}: {result.Violation}\nsetup: {result.Setup}\n" +
                    $"replay: TAPNET_SEED={seed} dotnet test Tap.Tests --filter \"FullyQualifiedName~DataPathModelTests\"\n" +
                    $"    or: {result.ReplayCommand}\nrecord tail:\n  {string.Join("\n  ", result.RecordTail)}");
            }
            delivered += result.HostToGuestDelivered + result.GuestToHostDelivered;
            lost += result.HostToGuestLost + result.GuestToHostLost;
        }
        output.WriteLine($"{seeds.Count} runs, {delivered} frames delivered, {lost} lost and counted");
        Assert.True(delivered > 0);
    }

    [Fact(DisplayName = "Determinism: the same seed gives a byte-identical record; other seeds differ")]
    public void SameSeedSameRecord()
    {
        for (ulong seed = 1; seed <= 20; seed++)
        {
            var a = DataPathScenario.Run(seed, 400);
            var b = DataPathScenario.Run(seed, 400);
            Assert.True(a.Ok, a.Violation);
            Assert.Equal(a.Digest, b.Digest);
            Assert.Equal(a.RecordLines, b.RecordLines);
        }
        Assert.NotEqual(DataPathScenario.Run(1, 400).Digest, DataPathScenario.Run(2, 400).Digest);
    }
}
