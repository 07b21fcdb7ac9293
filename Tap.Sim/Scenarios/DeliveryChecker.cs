using Tap.Core.Abi;

namespace Tap.Sim.Scenarios;

/// <summary>
/// Invariant family "delivery" (R20, R23a, Q16, I5, I8, I12 towards the guest; R11, R12, R15 towards the host):
/// every frame arrives at most once, in the order it was sent on its queue, with exactly the bytes the spec says
/// (header stripped or passed, cut at NET_BUFSIZE, padded to 60 for a peer that needs it). A frame skipped by a
/// later arrival is lost; whether that loss was counted is <see cref="FrameAccountingChecker"/>'s business.
/// The workload tells this checker what it sent; the checker reads what arrived.
/// </summary>
public sealed class DeliveryChecker
{
    private readonly DataPathRig _rig;
    private readonly QueueLedger[] _queues;

    /// <summary>A checker for every queue of <paramref name="rig"/> (built already).</summary>
    public DeliveryChecker(DataPathRig rig)
    {
        _rig = rig;
        _queues = new QueueLedger[rig.Taps.Count];
        for (int q = 0; q < _queues.Length; q++)
        {
            _queues[q] = new QueueLedger();
        }
    }

    /// <summary>What this checker knows of queue <paramref name="q"/>.</summary>
    public QueueLedger Queue(int q) => _queues[q];

    /// <summary>
    /// The host offered <paramref name="frame"/> on queue <paramref name="q"/>; the device queued it or not.
    /// </summary>
    public void HostSent(int q, byte[] frame, bool queued)
    {
        var l = _queues[q];
        l.HostOffered++;
        if (queued)
        {
            l.HostExpected.Enqueue((frame, _rig.Negotiated));
        }
        else
        {
            l.HostRefusedByDevice++;
        }
    }

    /// <summary>
    /// The guest sent <paramref name="raw"/>; <paramref name="written"/> is what the kernel must see.
    /// </summary>
    public void GuestSent(int q, byte[] written, byte[] raw)
    {
        var l = _queues[q];
        l.GuestSent++;
        l.GuestExpected.Enqueue((written, raw));
    }

    /// <summary>
    /// True when <paramref name="got"/> is what the guest must see for <paramref name="frame"/> (R20.3, R23a, Q16, I8,
    /// I12): the 12-byte header passed through as read (zeros) once negotiated, else no header; the frame cut where a
    /// NET_BUFSIZE read cuts it; zero padding to 60 bytes for a peer that needs it. Compared piece by piece, so that
    /// matching allocates nothing.
    /// </summary>
    private bool MatchesAtGuest(ReadOnlySpan<byte> got, byte[] frame, bool negotiated)
    {
        var s = _rig.Setup;
        int header = !s.VnetHdr ? 0 : negotiated ? SpecNumbers.MrgRxBufHdrBytes : SpecNumbers.VnetHdrBytes;
        int frameBytes = Math.Min(frame.Length, SpecNumbers.NetBufSizeBytes - header);
        int passedHeader = s.VnetHdr && negotiated ? header : 0;
        int length = passedHeader + frameBytes;
        int expectedLength = !s.Virtio && length < SpecNumbers.EthZLenBytes ? SpecNumbers.EthZLenBytes : length;
        return got.Length == expectedLength
            && !got[..passedHeader].ContainsAnyExcept((byte)0)
            && got.Slice(passedHeader, frameBytes).SequenceEqual(frame.AsSpan(0, frameBytes))
            && !got[length..].ContainsAnyExcept((byte)0);
    }

    /// <summary>
    /// New deliveries to guest <paramref name="q"/>: in order, exactly once, exact bytes; skipped frames are lost.
    /// </summary>
    public void CheckGuestReceived(int q)
    {
        var l = _queues[q];
        var got = _rig.Guests[q].Received;
        for (; l.GuestSeen < got.Count; l.GuestSeen++)
        {
            var bytes = got[l.GuestSeen];
            int expectedBefore = l.HostExpected.Count;
            bool matched = false;
            while (l.HostExpected.Count > 0)
            {
                var (frame, sentNegotiated) = l.HostExpected.Dequeue();
                // A frame sent before the negotiation may have been read (and stripped) before it, or after it.
                if (MatchesAtGuest(bytes, frame, _rig.Negotiated)
                    || (!sentNegotiated && MatchesAtGuest(bytes, frame, false)))
                {
                    matched = true;
                    l.HostDelivered++;
                    break;
                }
                l.HostSkipped++;
            }
            Invariant.Require(matched, "R20/I5/I8",
                $"guest {q} got a frame of {bytes.Length} bytes that matches none of the {expectedBefore} frames the " +
                $"host sent on that queue and not yet delivered, in order (negotiated={_rig.Negotiated})");
        }
    }

    /// <summary>The host takes what was written to queue <paramref name="q"/> and matches it, in order.</summary>
    public void HostDrain(int q)
    {
        var l = _queues[q];
        foreach (var bytes in _rig.Kernel.HostReceive(DataPathRig.Ifname, q))
        {
            bool matched = false;
            while (l.GuestExpected.Count > 0)
            {
                var (written, raw) = l.GuestExpected.Dequeue();
                // A frame queued (EAGAIN) before the negotiation is written after it without the tap's zero header.
                if (bytes.AsSpan().SequenceEqual(written) || (_rig.Negotiated && bytes.AsSpan().SequenceEqual(raw)))
                {
                    matched = true;
                    l.GuestDelivered++;
                    break;
                }
                l.GuestSkipped++;
            }
            Invariant.Require(matched, "R11/R12/I5",
                $"host got a write of {bytes.Length} bytes on queue {q} that matches no guest frame, in order");
        }
    }
}
