namespace Tap.Sim.Scenarios;

/// <summary>What a simulated run did: its seed, the first invariant it broke (if any), the record digest and totals.</summary>
public sealed record ScenarioResult(
    ulong Seed,
    string Setup,
    string? Violation,
    string Digest,
    long RecordLines,
    long HostToGuestSent,
    long HostToGuestDelivered,
    long HostToGuestLost,
    long GuestToHostSent,
    long GuestToHostDelivered,
    long GuestToHostLost,
    long EagainStalls,
    long BackpressureStalls,
    IReadOnlyList<string> RecordTail)
{
    /// <summary>True when every invariant held.</summary>
    public bool Ok => Violation is null;

    /// <summary>The command that replays this run.</summary>
    public string ReplayCommand => $"dotnet run -c Release --project Tap.Cli -- sim --seed {Seed}";
}
