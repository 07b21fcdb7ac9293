namespace Tap.Sim.Scenarios;

/// <summary>How a data-path run is drawn from its seed.</summary>
public sealed record ScenarioOptions
{
    /// <summary>Steps of the random phase (faults on) before the faults stop and the drain begins.</summary>
    public int Steps { get; init; } = 2000;

    /// <summary>The fault sites a seed may switch on.</summary>
    public IReadOnlyList<FaultSite> FaultSites { get; init; } = DataPathScenario.AllFaultSites;

    /// <summary>Swarm testing: the seed draws its own fault kinds and rates, tap shape and workload weights.</summary>
    public bool Swarm { get; init; }

    /// <summary>Keep the record's lines (the digest is always kept); campaigns turn it off.</summary>
    public bool KeepRecord { get; init; } = true;

    /// <summary>The <c>tapnet sim</c> command that runs <paramref name="seed"/> with these options.</summary>
    public string ReplayCommand(ulong seed)
    {
        var cmd = $"dotnet run -c Release --project Tap.Cli -- sim --seed {seed}";
        if (Swarm)
        {
            cmd += " --swarm";
        }
        if (Steps != new ScenarioOptions().Steps)
        {
            cmd += $" --steps {Steps}";
        }
        if (!FaultSites.SequenceEqual(DataPathScenario.AllFaultSites))
        {
            cmd += $" --faults {(FaultSites.Count == 0 ? "none" : string.Join(",", FaultSites))}";
        }
        return cmd;
    }
}
