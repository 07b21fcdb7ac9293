namespace Tap.Sim;

/// <summary>Where the simulated kernel may inject a fault.</summary>
public enum FaultSite
{
    /// <summary>EINTR from write (the core retries it, R12).</summary>
    WriteEintr,
    /// <summary>EINTR from read (the core ends the loop; the level-triggered loop reads again, R20).</summary>
    ReadEintr,
    /// <summary>EINTR from ioctls and opens (the core retries them).</summary>
    IoctlEintr,
    /// <summary>EAGAIN from a write although the send buffer has room (packets held downstream).</summary>
    WriteEagain,
    /// <summary>EIO from a write (the link went down for a moment).</summary>
    WriteEio,
}

/// <summary>
/// Two-phase fault sites (FoundationDB style): each site is switched on or off for the whole run from the seed,
/// then fires with its probability. A run with no sites on is fault-free.
/// </summary>
public sealed class FaultPlan
{
    private readonly double[] _probability = new double[Enum.GetValues<FaultSite>().Length];

    /// <summary>No faults.</summary>
    public static FaultPlan None => new();

    /// <summary>Turns <paramref name="site"/> on with <paramref name="probability"/> per call.</summary>
    public FaultPlan With(FaultSite site, double probability)
    {
        _probability[(int)site] = probability;
        return this;
    }

    /// <summary>Each listed site on or off by a coin flip of <paramref name="random"/>, at a small probability.</summary>
    public static FaultPlan FromSeed(SimRandom random, IReadOnlyList<FaultSite> allowed)
    {
        var plan = new FaultPlan();
        foreach (var site in allowed)
        {
            if (random.Chance(0.5))
            {
                plan.With(site, 0.02 + random.Next(10) / 100.0);
            }
        }
        return plan;
    }

    /// <summary>The probability of <paramref name="site"/> (0 = off).</summary>
    public double this[FaultSite site] => _probability[(int)site];

    /// <summary>The sites switched on, for the record.</summary>
    public override string ToString()
    {
        var on = new List<string>();
        foreach (var site in Enum.GetValues<FaultSite>())
        {
            if (_probability[(int)site] > 0)
            {
                on.Add($"{site}={_probability[(int)site].ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)}");
            }
        }
        return on.Count == 0 ? "none" : string.Join(",", on);
    }
}
