namespace Tap.Sim;

/// <summary>
/// The kernel's own numbers (linux-tun.md §3, §12), written out here rather than read from Tap.Core: the simulated
/// kernel is the independent side of every check, so a wrong limit in the core must disagree with it, not follow it.
/// </summary>
public static class KernelLimits
{
    /// <summary>IFNAMSIZ (16) less the NUL the kernel forces into byte 15.</summary>
    public const int IfNameMaxBytes = 15;

    /// <summary>drivers/net/tun.c MAX_TAP_QUEUES: a 257th attach fails with E2BIG.</summary>
    public const int MaxTapQueues = 256;

    /// <summary>ETH_HLEN: a write shorter than an Ethernet header (after the vnet header) is EINVAL.</summary>
    public const int EthHeaderBytes = 14;

    /// <summary>
    /// sizeof(struct virtio_net_hdr): the smallest TUNSETVNETHDRSZ and the bytes of a header that carry meaning.
    /// </summary>
    public const int VnetHdrBytes = 10;

    /// <summary>drivers/vhost/net.c VHOST_NET_PKT_WEIGHT: a worker run moves at most this many packets.</summary>
    public const int VhostPacketsPerRun = 256;

    /// <summary>drivers/vhost/net.c VHOST_NET_WEIGHT (0x80000, 512 KiB): the byte budget of one worker run.</summary>
    public const int VhostBytesPerRun = 0x80000;

    /// <summary>
    /// Offset of <c>num_buffers</c> in a 12-byte virtio-net header; vhost writes it (vhost-net §5.4).
    /// </summary>
    public const int NumBuffersOffset = 10;
}
