namespace Tap.Core.RateLimit;

/// <summary>
/// Which frames of a netdev a limiter counts, in the netdev's terms (as its counters and metrics): <see cref="Rx"/>
/// what it receives from its peer (and writes to its host interface), <see cref="Tx"/> what it sends to its peer.
/// </summary>
public enum RateDirection
{
    /// <summary>Frames the netdev receives from its peer (QEMU's netfilter <c>queue=rx</c>).</summary>
    Rx,

    /// <summary>Frames the netdev sends to its peer (<c>queue=tx</c>).</summary>
    Tx,
}
