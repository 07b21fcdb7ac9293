namespace Tap.Sim.Scenarios;

/// <summary>
/// The numbers the data-path invariants are judged against, from the spec (tap-backend.md §1, net-queue.md Q17),
/// never from the production constants: a check that reads the constant it pins changes with it and cannot fail.
/// </summary>
public static class SpecNumbers
{
    /// <summary>
    /// NET_BUFSIZE = 4096 + 65536: every read asks for this many bytes; the kernel cuts a longer frame.
    /// </summary>
    public const int NetBufSizeBytes = 69632;

    /// <summary>ETH_ZLEN: a frame for a peer that needs padding is padded to this.</summary>
    public const int EthZLenBytes = 60;

    /// <summary>R22/I6: frames forwarded per readable callback at most (QEMU's bursts of exactly 50).</summary>
    public const int FramesPerWakeupMax = 50;

    /// <summary>
    /// sizeof(struct virtio_net_hdr): what the tap prepends and strips before the peer takes the header.
    /// </summary>
    public const int VnetHdrBytes = 10;

    /// <summary>sizeof(struct virtio_net_hdr_mrg_rxbuf): the length a virtio peer negotiates (R30).</summary>
    public const int MrgRxBufHdrBytes = 12;

    /// <summary>ETH_HLEN: shorter guest frames are refused by the kernel.</summary>
    public const int EthHeaderBytes = 14;
}
