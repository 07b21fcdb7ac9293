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
    /// <summary>A stream socket read returns fewer bytes than are waiting (any split is legal).</summary>
    SocketShortRead,
    /// <summary>A stream socket write takes fewer bytes than offered (a partial write).</summary>
    SocketShortWrite,
    /// <summary>A stream connection is reset: both ends see ECONNRESET, data in flight is lost.</summary>
    SocketReset,
    /// <summary>A datagram is lost on the way.</summary>
    DgramLoss,
    /// <summary>A datagram overtakes those already waiting at the receiver.</summary>
    DgramReorder,
}

/// <summary>
/// Two-phase fault sites (FoundationDB style): each site is switched on or off for the whole run from the seed,
/// then fires with its probability, an integer ratio. A run with no sites on is fault-free; <see cref="Stop"/>
/// switches every site off for good (the liveness phase: faults stop, progress must resume).
/// </summary>
public sealed class FaultPlan
{
    /// <summary>
    /// The highest rate a swarm draws: the core retries EINTR from write and ioctls without a bound (as QEMU does),
    /// so a site that always fires would spin; 40% still makes most calls fail more than once in a row.
    /// </summary>
    public static readonly Ratio SwarmRateMax = new(400, 1000);

    private readonly Ratio[] _rate = new Ratio[Enum.GetValues<FaultSite>().Length];

    /// <summary>No faults.</summary>
    public static FaultPlan None => new();

    /// <summary>Turns <paramref name="site"/> on, firing with <paramref name="rate"/> per call.</summary>
    public FaultPlan With(FaultSite site, Ratio rate)
    {
        _rate[(int)site] = rate;
        return this;
    }

    /// <summary>Each listed site on or off by a coin flip of <paramref name="random"/>, at 2-11 in 100.</summary>
    public static FaultPlan FromSeed(SimRandom random, IReadOnlyList<FaultSite> allowed)
    {
        var plan = new FaultPlan();
        foreach (var site in allowed)
        {
            if (random.Chance(new Ratio(1, 2)))
            {
                plan.With(site, new Ratio(2 + random.Next(10), 100));
            }
        }
        return plan;
    }

    /// <summary>
    /// Swarm testing: each listed site on or off by a coin flip, and its rate from one of three bands (rare: 1-9 in
    /// 1000, common: 1-9 in 100, storm: 10-40 in 100), so some seeds see a fault once a run and others on most calls.
    /// </summary>
    public static FaultPlan Swarm(SimRandom random, IReadOnlyList<FaultSite> allowed)
    {
        var plan = new FaultPlan();
        foreach (var site in allowed)
        {
            if (!random.Chance(new Ratio(1, 2)))
            {
                continue;
            }
            var rate = random.Next(3) switch
            {
                0 => new Ratio(random.Next(1, 10), 1000),
                1 => new Ratio(random.Next(10, 100), 1000),
                _ => new Ratio(random.Next(100, SwarmRateMax.Numerator + 1), SwarmRateMax.Denominator),
            };
            plan.With(site, rate);
        }
        return plan;
    }

    /// <summary>True once <see cref="Stop"/> ran.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Every site off from now on; the plan still prints what was on.</summary>
    public void Stop() => Stopped = true;

    /// <summary>The rate of <paramref name="site"/> now (zero when off or stopped).</summary>
    public Ratio this[FaultSite site] => Stopped ? Ratio.Zero : _rate[(int)site];

    /// <summary>True when at least one site is on (before any stop).</summary>
    public bool Any => _rate.Any(r => !r.IsZero);

    /// <summary>
    /// The sites switched on, for the record: <c>WriteEio=37/1000,ReadEintr=5/100</c>, or <c>none</c>.
    /// </summary>
    public override string ToString()
    {
        var on = new List<string>();
        foreach (var site in Enum.GetValues<FaultSite>())
        {
            if (!_rate[(int)site].IsZero)
            {
                on.Add($"{site}={_rate[(int)site]}");
            }
        }
        return on.Count == 0 ? "none" : string.Join(",", on);
    }
}
