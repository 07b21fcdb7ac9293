namespace Tap.Core.Net;

/// <summary>
/// Why a packet was lost. QEMU loses packets in each of these ways without telling anyone; we count them.
/// </summary>
public enum DropReason
{
    /// <summary>Sent while the sender had no peer or its link was down (R23, Q6.1).</summary>
    NoPeer,
    /// <summary>Delivered to a receiver whose link is down (Q10.1).</summary>
    ReceiverLinkDown,
    /// <summary>The receiver failed it (returned &lt; 0, Q6).</summary>
    Rejected,
    /// <summary>A queue without completion callbacks was already at its limit (Q8).</summary>
    QueueOverflow,
    /// <summary>Larger than NET_BUFSIZE (Q6).</summary>
    Oversize,
    /// <summary>Removed from a queue by a purge or by deletion of its receiver (Q11, Q18).</summary>
    Purged,
    /// <summary>A read from the tap failed with something other than EAGAIN (R20.2).</summary>
    ReadError,
    /// <summary>A read shorter than the vnet header it should carry (R23b / D1).</summary>
    ShortRead,
    /// <summary>
    /// A write to the tap failed with something other than EAGAIN: EIO (link down), EINVAL, EBADFD (R14, D-15).
    /// </summary>
    WriteError,
    /// <summary>
    /// A queue without completion callbacks was at its limit while a rate limit held its frames back
    /// (docs/rate-limits.md#waiting): the drop a limit causes, told apart from a receiver that is simply slow.
    /// </summary>
    RateLimited,
    /// <summary>
    /// A datagram or stream record that cannot be a whole Ethernet frame: empty, shorter than an Ethernet header, or
    /// cut by the receive buffer (DG5, ST6).
    /// </summary>
    NotAFrame,
}
