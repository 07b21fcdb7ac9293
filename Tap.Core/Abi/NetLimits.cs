namespace Tap.Core.Abi;

/// <summary>Sizes and limits shared by the net layer and the TAP backend.</summary>
public static class NetLimits
{
    /// <summary>
    /// Largest GSO packet (64 KiB) plus 4 KiB headroom for Ethernet and virtio-net headers; every read asks for this.
    /// </summary>
    public const int NetBufSizeBytes = 4096 + 65536;

    /// <summary>
    /// Minimum Ethernet frame without FCS; shorter frames are padded to it for peers that need padding.
    /// </summary>
    public const int EthZLenBytes = 60;

    /// <summary>Ethernet header; the kernel refuses shorter writes.</summary>
    public const int EthHeaderBytes = 14;

    /// <summary>
    /// Kernel limit of queues on one multiqueue tap (tun.c MAX_TAP_QUEUES); QEMU's own constant says 1024.
    /// </summary>
    public const int KernelMaxTapQueues = 256;

    /// <summary>IFNAMSIZ - 1: the longest interface name the kernel keeps.</summary>
    public const int IfNameMaxBytes = 15;

    /// <summary>A queue without a completion callback stops accepting packets at this length (net/queue.c).</summary>
    public const int QueueLimitWithoutCallback = 10000;
}
