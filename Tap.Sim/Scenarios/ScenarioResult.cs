namespace Tap.Sim.Scenarios;

/// <summary>
/// What a simulated run did: its seed and shape, the first invariant it broke (if any), where every frame went
/// when the faults stopped and at the end, the drain, the record digest and the tail of the record.
/// </summary>
public sealed class ScenarioResult
{
    /// <summary>The seed the run was drawn from.</summary>
    public required ulong Seed { get; init; }

    /// <summary>How it was drawn (steps, swarm, fault sites).</summary>
    public required ScenarioOptions Options { get; init; }

    /// <summary>The tap and faults the seed drew.</summary>
    public required string Setup { get; init; }

    /// <summary>The workload weights the seed drew (or the default mix).</summary>
    public required string Workload { get; init; }

    /// <summary>The first broken invariant, with the step or phase, or null.</summary>
    public string? Violation { get; init; }

    /// <summary>SHA-256 of the record: every kernel call and event, in order.</summary>
    public required string Digest { get; init; }

    /// <summary>Lines in the record.</summary>
    public required long RecordLines { get; init; }

    /// <summary>Where every frame went, at the end of the run.</summary>
    public required FrameAccount HostToGuest { get; init; }

    /// <summary>Where every frame went, at the end of the run.</summary>
    public required FrameAccount GuestToHost { get; init; }

    /// <summary>The same when the faults stopped (null when the run broke before).</summary>
    public (FrameAccount HostToGuest, FrameAccount GuestToHost)? AtFaultStop { get; init; }

    /// <summary>Main-loop iterations the drain took.</summary>
    public int DrainIterations { get; init; }

    /// <summary>The bound the drain had (computed when the faults stopped).</summary>
    public int DrainIterationsMax { get; init; }

    /// <summary>Writes that met EAGAIN and left the frame queued (R13).</summary>
    public long EagainStalls { get; init; }

    /// <summary>Reads stopped because the guest queued a frame (R21).</summary>
    public long BackpressureStalls { get; init; }

    /// <summary>The last lines of the record (empty when lines were not kept).</summary>
    public required IReadOnlyList<string> RecordTail { get; init; }

    /// <summary>Shorthands for the end-of-run accounts: sent, delivered, dropped (counted) in each direction.</summary>
    public long HostToGuestSent => HostToGuest.Sent;
    public long HostToGuestDelivered => HostToGuest.Delivered;
    public long HostToGuestLost => HostToGuest.DroppedTotal;
    public long GuestToHostSent => GuestToHost.Sent;
    public long GuestToHostDelivered => GuestToHost.Delivered;
    public long GuestToHostLost => GuestToHost.DroppedTotal;

    /// <summary>True when every invariant held.</summary>
    public bool Ok => Violation is null;

    /// <summary>The command that replays this run.</summary>
    public string ReplayCommand => Options.ReplayCommand(Seed);
}
