using Tap.Cli;
using Tap.Sim;
using Tap.Sim.Scenarios;

namespace Tap.Tests.Sim;

/// <summary>
/// Swarm testing (TigerBeetle's VOPR): each seed draws its own fault kinds and rates, tap shape and workload weights,
/// so that a campaign covers mixes no hand-tuned run reaches; the draw is printed so a failing seed is understood.
/// </summary>
public sealed class SwarmTests
{
    [Fact(DisplayName = "Swarm: random swarm seeds keep every invariant, drain once the faults stop, and account for every frame")]
    public void SwarmRuns()
    {
        long frames = 0;
        foreach (var seed in SimSeeds.Choose(40))
        {
            var r = DataPathScenario.Run(seed, new ScenarioOptions { Steps = 1000, Swarm = true, KeepRecord = false });
            Assert.True(r.Ok, SimSeeds.Failure(r, "SwarmTests"));
            frames += r.HostToGuestSent + r.GuestToHostSent;
        }
        Assert.True(frames > 0);
    }

    [Fact(DisplayName = "Swarm: over 300 seeds the draws cover every fault site, rare to storm rates, 1-4 queues, small rings, ops switched off and on")]
    public void DrawsCoverTheSpace()
    {
        var sites = new HashSet<FaultSite>();
        var queues = new HashSet<int>();
        int noFaults = 0, storm = 0, rare = 0, smallRing = 0, tinySndbuf = 0, distinct = 0;
        var opOff = new HashSet<DataPathOp>();
        var opOn = new HashSet<DataPathOp>();
        var seen = new HashSet<string>();
        for (ulong seed = 1; seed <= 300; seed++)
        {
            var r = new SimRandom(seed);
            var setup = DataPathSetup.Swarm(r, DataPathScenario.AllFaultSites);
            var shape = WorkloadShape.Swarm(r);
            distinct += seen.Add($"{setup} {shape}") ? 1 : 0;
            queues.Add(setup.Queues);
            smallRing += setup.TxQueueLen < 64 ? 1 : 0;
            tinySndbuf += setup.SndBuf is < 2000 ? 1 : 0;
            noFaults += setup.Faults.Any ? 0 : 1;
            foreach (var site in DataPathScenario.AllFaultSites)
            {
                var rate = setup.Faults[site];
                if (!rate.IsZero)
                {
                    sites.Add(site);
                    Assert.True(rate.Numerator * 10 <= rate.Denominator * 4, $"seed {seed}: {site}={rate} is above the 40% cap");
                    storm += rate.Numerator * 10 >= rate.Denominator ? 1 : 0;
                    rare += rate.Numerator * 100 < rate.Denominator ? 1 : 0;
                }
            }
            foreach (var op in Enum.GetValues<DataPathOp>())
            {
                (shape.Weight(op) == 0 ? opOff : opOn).Add(op);
            }
            Assert.True(shape.Weight(DataPathOp.RunLoop) > 0, $"seed {seed}: the main loop never runs");
            Assert.True(shape.Weight(DataPathOp.HostSend) + shape.Weight(DataPathOp.GuestTransmit) > 0, $"seed {seed}: no traffic");
        }
        Assert.Equal(300, distinct);
        Assert.Equal(DataPathScenario.AllFaultSites.ToHashSet(), sites);
        Assert.Equal(new HashSet<int> { 1, 2, 3, 4 }, queues);
        Assert.True(noFaults > 0 && storm > 0 && rare > 0, $"fault-free {noFaults}, storm {storm}, rare {rare}");
        Assert.True(smallRing > 0 && tinySndbuf > 0, $"small rings {smallRing}, tiny send buffers {tinySndbuf}");
        Assert.Equal(Enum.GetValues<DataPathOp>().ToHashSet(), opOn);
        Assert.Equal(Enum.GetValues<DataPathOp>().Where(op => op != DataPathOp.RunLoop).ToHashSet(), opOff);
    }

    [Fact(DisplayName = "Swarm: the summary starts with the seed and prints the seed's draw (faults, tap, workload) and the accounts")]
    public void SummaryShowsTheDraw()
    {
        var stdout = new StringWriter();
        Assert.Equal(0, SimCommand.Run("tapnet", ["--seed", "5", "--swarm", "--steps", "300"], stdout, TextWriter.Null));
        var lines = stdout.ToString().Split('\n');
        Assert.Equal("seed 5", lines[0]);
        Assert.StartsWith("  setup        queues=", lines[1], StringComparison.Ordinal);
        Assert.Contains(" faults=", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("  workload     ops HostSend=", lines[2], StringComparison.Ordinal);
        Assert.Contains("LinkFlap=", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("  faults stop  after step 300; drained in ", lines[3], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("  host->guest  sent ", StringComparison.Ordinal) && l.Contains(" + in flight 0", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  guest->host  sent ", StringComparison.Ordinal));
    }

    [Fact(DisplayName = "Swarm: same seed, same record; a swarm run differs from the default run of the same seed")]
    public void Deterministic()
    {
        var options = new ScenarioOptions { Steps = 400, Swarm = true };
        for (ulong seed = 1; seed <= 10; seed++)
        {
            var a = DataPathScenario.Run(seed, options);
            var b = DataPathScenario.Run(seed, options);
            Assert.True(a.Ok, SimSeeds.Failure(a, "SwarmTests"));
            Assert.Equal(a.Digest, b.Digest);
            Assert.NotEqual(a.Digest, DataPathScenario.Run(seed, options with { Swarm = false }).Digest);
        }
    }
}
