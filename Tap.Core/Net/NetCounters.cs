using System.Runtime.CompilerServices;

namespace Tap.Core.Net;

/// <summary>Per-client packet accounting. "Received" means handed to this client by the net layer (towards the
/// host for a tap); "sent" means this client handed to its peer (from the host for a tap).</summary>
public sealed class NetCounters
{
    private readonly long[] _drops = new long[Enum.GetValues<DropReason>().Length];

    public long SentPackets { get; private set; }
    public long SentBytes { get; private set; }
    public long ReceivedPackets { get; private set; }
    public long ReceivedBytes { get; private set; }

    /// <summary>Writes to the OS that returned EAGAIN and left the packet queued (R13).</summary>
    public long EagainStalls { get; internal set; }

    /// <summary>Sends that the peer queued, so this client stopped reading until the completion (R21).</summary>
    public long PeerBackpressureStalls { get; internal set; }

    /// <summary>Packets lost for <paramref name="reason"/>.</summary>
    public long Drops(DropReason reason) => _drops[(int)reason];

    /// <summary>All packets lost, whatever the reason.</summary>
    public long TotalDrops
    {
        get
        {
            long sum = 0;
            foreach (var d in _drops)
            {
                sum += d;
            }
            return sum;
        }
    }

    // Inlined: called once or twice per frame on every hop, and a call costs more than the increments.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CountSent(int bytes)
    {
        SentPackets++;
        SentBytes += bytes;
    }

    // Inlined: called once or twice per frame on every hop, and a call costs more than the increments.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CountReceived(int bytes)
    {
        ReceivedPackets++;
        ReceivedBytes += bytes;
    }

    // Inlined: called once or twice per frame on every hop, and a call costs more than the increments.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CountDrop(DropReason reason) => _drops[(int)reason]++;
}
