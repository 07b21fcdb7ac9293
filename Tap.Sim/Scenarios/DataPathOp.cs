namespace Tap.Sim.Scenarios;

/// <summary>One kind of step of the data-path workload.</summary>
public enum DataPathOp
{
    /// <summary>The host sends a frame out of the tap (towards the guest).</summary>
    HostSend,
    /// <summary>One main-loop iteration.</summary>
    RunLoop,
    /// <summary>The guest sends a frame towards the host.</summary>
    GuestTransmit,
    /// <summary>The host takes what was written to a queue.</summary>
    HostDrain,
    /// <summary>The guest stops accepting (after 0-2 more frames): back-pressure.</summary>
    Refuse,
    /// <summary>The guest accepts 1-4 more frames.</summary>
    Grant,
    /// <summary>The guest accepts everything again.</summary>
    Open,
    /// <summary>The guest detaches or attaches a queue (multiqueue only).</summary>
    ToggleQueue,
    /// <summary>The guest negotiates the 12-byte header (once).</summary>
    Negotiate,
    /// <summary>The host takes the link down, or up again: writes fail with EIO meanwhile.</summary>
    LinkFlap,
    /// <summary>The VM stops, or runs again (Q15): sends are queued meanwhile and the guest does nothing.</summary>
    VmPause,
}
