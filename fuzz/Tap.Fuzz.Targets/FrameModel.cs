namespace Tap.Fuzz.Targets;

/// <summary>
/// The frame path's header rules restated independently of TapBackend (tap-backend.md R11, R20-R23, R30; QEMU's
/// tap_receive and tap_send): what the peer must be handed for each frame the host wrote, and what the host must
/// be written for each frame the peer sent. Frames are expected in order; the only frames that may go missing are
/// the ones a queue detach purged.
/// </summary>
internal sealed class FrameModel
{
    /// <summary>ETH_ZLEN: frames shorter than this are padded for a peer that takes padding (Q16).</summary>
    private const int MinFrameBytes = 60;
    /// <summary>NET_BUFSIZE (4096 + 65536): the net layer drops anything longer (Q6).</summary>
    private const int NetBufBytes = 69632;

    private readonly Queue<byte[]> _toPeer = new();
    private readonly Queue<byte[]> _toHost = new();
    private int _purgeAllowance;

    public FrameModel(bool vnetHdr, bool peerPads)
    {
        HostHeaderBytes = vnetHdr ? 10 : 0;
        PeerPads = peerPads;
    }

    /// <summary>The header the kernel puts in front of every frame on the fd: 10 with vnet_hdr, then whatever
    /// TUNSETVNETHDRSZ last set successfully (R30).</summary>
    public int HostHeaderBytes { get; private set; }

    /// <summary>True once the peer took the header over (R30): frames then pass untouched both ways.</summary>
    public bool PeerOwnsHeader { get; private set; }

    public bool PeerPads { get; }

    /// <summary>True once the kernel said EBADFD (D-17): nothing may be read or written on the fd again.</summary>
    public bool Broken { get; set; }

    public long FramesRead { get; private set; }

    public long ShortReads { get; private set; }

    /// <summary>Frames sent towards the host that have not been written yet.</summary>
    public int PendingToHost => _toHost.Count;

    private bool StripsHeader => HostHeaderBytes != 0 && !PeerOwnsHeader;

    public void HeaderTakenOver(int bytes)
    {
        HostHeaderBytes = bytes;
        PeerOwnsHeader = true;
    }

    /// <summary>The peer's queue is purged of <paramref name="frames"/> frames from the tap (R27, Q11).</summary>
    public void Purged(int frames) => _purgeAllowance += frames;

    /// <summary>The kernel handed <paramref name="frame"/> to a read (R20-R23).</summary>
    public void HostFrameRead(ReadOnlySpan<byte> frame)
    {
        if (frame.IsEmpty)
        {
            // QEMU's tap_send stops at a read of 0 bytes (size <= 0): not a frame, nothing to forward.
            return;
        }
        FramesRead++;
        if (StripsHeader)
        {
            if (frame.Length <= HostHeaderBytes)
            {
                ShortReads++;
                return;
            }
            frame = frame[HostHeaderBytes..];
        }
        byte[] expected = new byte[frame.Length < MinFrameBytes && PeerPads ? MinFrameBytes : frame.Length];
        frame.CopyTo(expected);
        _toPeer.Enqueue(expected);
    }

    /// <summary>The peer accepted <paramref name="frame"/>: it must be the next frame the host wrote.</summary>
    public void PeerAccepted(ReadOnlySpan<byte> frame)
    {
        while (true)
        {
            FuzzFindingException.Check(_toPeer.Count > 0,
                $"the peer was handed {Describe(frame)}, but no frame read from the host is waiting for it ({Rules})");
            byte[] expected = _toPeer.Dequeue();
            if (frame.SequenceEqual(expected))
            {
                return;
            }
            FuzzFindingException.Check(_purgeAllowance > 0,
                $"the peer was handed {Describe(frame)}, expected {Describe(expected)} ({Rules})");
            _purgeAllowance--;
        }
    }

    /// <summary>The peer sent <paramref name="packet"/> towards the host (R11).</summary>
    public void PeerSent(ReadOnlySpan<byte> packet)
    {
        if (!Broken && packet.Length <= NetBufBytes)
        {
            _toHost.Enqueue(packet.ToArray());
        }
    }

    /// <summary>A writev reached the kernel; <paramref name="done"/> when the frame is gone (written or dropped).</summary>
    public void HostWrite(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, bool done)
    {
        int expectedHead = StripsHeader ? HostHeaderBytes : 0;
        FuzzFindingException.Check(head.Length == expectedHead,
            $"a write to the host had a {head.Length}-byte header in front, expected {expectedHead} ({Rules})");
        FuzzFindingException.Check(head.IndexOfAnyExcept((byte)0) < 0, $"the {head.Length}-byte header written in front of a frame is not all zero");
        FuzzFindingException.Check(_toHost.Count > 0, $"the host was written {Describe(body)}, which the peer never sent");
        byte[] expected = _toHost.Peek();
        FuzzFindingException.Check(body.SequenceEqual(expected),
            $"the host was written {Describe(body)}, expected {Describe(expected)} (frames must reach the host in order)");
        if (done)
        {
            _toHost.Dequeue();
        }
    }

    private string Rules => $"host header {HostHeaderBytes} bytes, peer owns the header: {PeerOwnsHeader}, peer pads: {PeerPads}";

    private static string Describe(ReadOnlySpan<byte> frame) =>
        $"a {frame.Length}-byte frame starting {Convert.ToHexString(frame[..Math.Min(frame.Length, 12)])}";
}
