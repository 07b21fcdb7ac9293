namespace Tap.Sim.Scenarios;

/// <summary>
/// What the workload sent on one queue and what <see cref="DeliveryChecker"/> saw arrive: the scenario's own
/// count, kept apart from the product's counters so that one can check the other.
/// </summary>
public sealed class QueueLedger
{
    /// <summary>
    /// Host frames not yet delivered, oldest first, with whether the header was negotiated when sent.
    /// </summary>
    internal Queue<(byte[] Frame, bool SentNegotiated)> HostExpected { get; } = new();

    /// <summary>Guest frames not yet delivered: what the kernel must see, and the frame as the guest sent it.</summary>
    internal Queue<(byte[] Written, byte[] Raw)> GuestExpected { get; } = new();

    internal int GuestSeen { get; set; }

    /// <summary>Frames the host offered to this queue (queued by the device or not).</summary>
    public long HostOffered { get; internal set; }

    /// <summary>Frames the device did not queue (ring full, queue detached).</summary>
    public long HostRefusedByDevice { get; internal set; }

    /// <summary>Host frames the guest got.</summary>
    public long HostDelivered { get; internal set; }

    /// <summary>Host frames a later delivery passed over: lost.</summary>
    public long HostSkipped { get; internal set; }

    /// <summary>Host frames queued by the device, neither delivered nor passed over yet.</summary>
    public long HostOutstanding => HostExpected.Count;

    /// <summary>Frames the guest sent on this queue.</summary>
    public long GuestSent { get; internal set; }

    /// <summary>Guest frames the host got.</summary>
    public long GuestDelivered { get; internal set; }

    /// <summary>Guest frames a later write passed over: lost.</summary>
    public long GuestSkipped { get; internal set; }

    /// <summary>Guest frames neither delivered nor passed over yet.</summary>
    public long GuestOutstanding => GuestExpected.Count;
}
