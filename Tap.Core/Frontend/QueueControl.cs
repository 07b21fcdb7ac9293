namespace Tap.Core.Frontend;

/// <summary>What a front end (a virtio-net device model, a test) may ask of one tap queue (R25-R33).</summary>
public enum QueueControl
{
    /// <summary>R26: attach the queue.</summary>
    Enable,
    /// <summary>R27: detach the queue.</summary>
    Disable,
    /// <summary>R25: the backend polls its fd again (vhost gives the data path back).</summary>
    PollOn,
    /// <summary>R25: the backend stops polling (vhost takes the data path).</summary>
    PollOff,
    /// <summary>R30: the peer takes over a header of the argument's length.</summary>
    VnetHdrLen,
    /// <summary>R32: little-endian headers on (argument 1) or off (0).</summary>
    VnetLe,
    /// <summary>R32: big-endian headers on (1) or off (0).</summary>
    VnetBe,
    /// <summary>R33: the offloads in the argument.</summary>
    Offload,
    /// <summary>R25a: the guest driver is ready; the kernel's vhost worker takes the queue's data path.</summary>
    VhostStart,
    /// <summary>R25b: the guest driver stops; the vhost worker gives the data path back.</summary>
    VhostStop,
}
