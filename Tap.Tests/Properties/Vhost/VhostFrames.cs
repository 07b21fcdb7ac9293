namespace Tap.Tests.Properties.Vhost;

/// <summary>
/// The bytes on each side of a vhost queue, written from vhost-net §1, §5.4 and §5.5 with literal sizes, not
/// from the simulator: a tap with a header has 10 bytes (the backend's creation size) and vhost hands them
/// through; a tap without one leaves a 12-byte header (a VERSION_1 guest) to vhost, which strips it on transmit
/// and writes zeros with <c>num_buffers</c> = 1 on receive.
/// </summary>
public static class VhostFrames
{
    /// <summary>The tap's header after creation (TUNSETVNETHDRSZ 10).</summary>
    public const int TapHeaderBytes = 10;

    /// <summary>The header a VERSION_1 guest lays out when vhost owns it.</summary>
    public const int GuestHeaderBytes = 12;

    /// <summary>ETH_HLEN: the tap refuses a shorter frame with EINVAL.</summary>
    public const int EthHeaderBytes = 14;

    /// <summary>A frame whose bytes say which queue, direction and frame they belong to.</summary>
    public static byte[] Frame(int queue, int direction, int index, int length)
    {
        var f = new byte[length];
        for (int i = 0; i < length; i++)
        {
            f[i] = (byte)((queue * 53) + (direction * 101) + (index * 31) + (i * 7) + 1);
        }
        return f;
    }

    /// <summary>The 10-byte header the host puts on a frame it sends (distinct per frame, so a mix-up shows).</summary>
    public static byte[] HostHeader(int queue, int index)
    {
        var h = new byte[TapHeaderBytes];
        for (int i = 0; i < h.Length; i++)
        {
            h[i] = (byte)(0x40 + (queue * 17) + (index * 5) + i);
        }
        return h;
    }

    /// <summary>
    /// The chain a guest driver posts for <paramref name="frame"/>: its header (zeros: no offload) then the frame.
    /// </summary>
    public static byte[] GuestChain(bool tapOwnsHeader, byte[] frame) =>
        [.. new byte[tapOwnsHeader ? TapHeaderBytes : GuestHeaderBytes], .. frame];

    /// <summary>
    /// What the host reads from the tap for a guest chain, or null when the frame must not get there: the tap's
    /// header travels with the frame; a vhost-owned header is stripped; under 14 bytes of frame the tap refuses it.
    /// </summary>
    public static byte[]? AtHost(bool tapOwnsHeader, byte[] chain)
    {
        int header = tapOwnsHeader ? TapHeaderBytes : GuestHeaderBytes;
        if (chain.Length - header < EthHeaderBytes)
        {
            return null;
        }
        return tapOwnsHeader ? chain : chain[header..];
    }

    /// <summary>
    /// What the guest finds in a receive buffer for a frame the host sent with <paramref name="hostHeader"/>.
    /// </summary>
    public static byte[] AtGuest(bool tapOwnsHeader, byte[] hostHeader, byte[] frame)
    {
        if (tapOwnsHeader)
        {
            return [.. hostHeader, .. frame];
        }
        var header = new byte[GuestHeaderBytes];
        header[10] = 1;   // num_buffers, little-endian u16 at offset 10
        return [.. header, .. frame];
    }
}
