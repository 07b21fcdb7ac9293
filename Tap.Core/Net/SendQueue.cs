using System.Buffers;
using System.Runtime.CompilerServices;
using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.RateLimit;

namespace Tap.Core.Net;

/// <summary>
/// The queue of packets waiting to be delivered to one receiver (QEMU's NetQueue, Q7-Q11). Storage is a ring that
/// grows by doubling and packet copies come from the shared array pool, so steady-state traffic allocates nothing.
/// </summary>
public sealed class SendQueue
{
    private readonly NetClient _receiver;
    private QueuedPacket[] _ring = new QueuedPacket[16];
    private int _head;
    private int _count;
    private readonly List<QueuedPacket> _purged = new();

    internal SendQueue(NetClient receiver) => _receiver = receiver;

    /// <summary>Packets waiting.</summary>
    public int Count => _count;

    /// <summary>
    /// True while a delivery from this queue is in progress; re-entrant sends are then appended (Q7.1).
    /// </summary>
    public bool Delivering { get; private set; }

    /// <summary>Q7: deliver now if possible, else queue. Returns the receiver's result, or 0 when queued.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // into SendAsync, see there
    internal int Send(NetClient sender, PacketFlags flags, ReadOnlySpan<byte> data, INetCompletion? completion)
    {
        if (Delivering || !sender.Stack.CanSend(sender))
        {
            Append(sender, flags, data, completion);
            return 0;
        }

        int result = Deliver(sender, flags, data);
        if (result == 0)
        {
            Append(sender, flags, data, completion);
            return 0;
        }

        // Q7: what queued up meanwhile goes out now. Flush of an empty queue does nothing, and on the usual path the
        // queue is empty, so the call (whose frame set-up costs more than the check) is skipped.
        if (_count > 0)
        {
            Flush();
        }
        return result;
    }

    /// <summary>Q9: deliver queued packets in order until one is refused. True when the queue ended empty.</summary>
    public bool Flush()
    {
        if (Delivering)
        {
            return false;
        }

        while (_count > 0)
        {
            var packet = PopHead();
            int result = Deliver(packet.Sender, packet.Flags, packet.Data);
            if (result == 0)
            {
                PushHead(packet);
                return false;
            }

            ArrayPool<byte>.Shared.Return(packet.Buffer);
            Complete(packet, result);
        }

        return true;
    }

    /// <summary>
    /// Q11: remove every packet from <paramref name="sender"/>, in order, running each completion with 0.
    /// </summary>
    public void Purge(NetClient sender) => RemoveWhere(sender, runCompletions: true);

    /// <summary>
    /// Q18 when the receiver is deleted. QEMU frees the packets without telling their senders (D2), so a sender that
    /// waits for a completion waits forever; we complete them with 0 unless the sender is itself going away.
    /// </summary>
    internal void Destroy(Func<NetClient, bool> senderIsGoing)
    {
        while (_count > 0)
        {
            var packet = PopHead();
            ArrayPool<byte>.Shared.Return(packet.Buffer);
            packet.Sender.Counters.CountDrop(DropReason.Purged);
            if (!senderIsGoing(packet.Sender))
            {
                Complete(packet, 0);
            }
        }
    }

    private void RemoveWhere(NetClient sender, bool runCompletions)
    {
        int kept = 0;
        for (int i = 0; i < _count; i++)
        {
            ref var slot = ref _ring[(_head + i) % _ring.Length];
            if (ReferenceEquals(slot.Sender, sender))
            {
                _purged.Add(slot);
            }
            else
            {
                _ring[(_head + kept) % _ring.Length] = slot;
                kept++;
            }
        }

        for (int i = kept; i < _count; i++)
        {
            _ring[(_head + i) % _ring.Length] = default;
        }
        _count = kept;

        // Completions run after the queue is consistent again: they may send or purge re-entrantly.
        for (int i = 0; i < _purged.Count; i++)
        {
            var packet = _purged[i];
            ArrayPool<byte>.Shared.Return(packet.Buffer);
            packet.Sender.Counters.CountDrop(DropReason.Purged);
            if (runCompletions)
            {
                Complete(packet, 0);
            }
        }
        _purged.Clear();
    }

    private static void Complete(in QueuedPacket packet, int result)
    {
        if (packet.Completion is { } completion)
        {
            packet.Sender.Stack.EventObserver?.OnSendCompleted(packet.Sender, result);
            completion.OnSendCompleted(packet.Sender, result);
        }
    }

    /// <summary>Q10: hand one packet to the receiver.</summary>
    // Inlined into Send, where every frame passes (twice across a hub): the call and its frame cost more than its
    // checks. Flush, the queued path, gets its own copy.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Deliver(NetClient sender, PacketFlags flags, ReadOnlySpan<byte> data)
    {
        var receiver = _receiver;
        if (receiver.LinkDown)
        {
            sender.Counters.CountDrop(DropReason.ReceiverLinkDown);
            return data.Length;
        }

        if (receiver.ReceiveDisabled)
        {
            return 0;
        }

        // A frame without tokens waits as for a receiver that cannot take it (docs/rate-limits.md#waiting).
        if ((sender.TxLimit is not null || receiver.RxLimit is not null)
            && !RateLimiter.Admit(sender.TxLimit, receiver.RxLimit, data.Length))
        {
            receiver.ReceiveDisabled = true;
            return 0;
        }

        int result;
        Delivering = true;
        try
        {
            // The two receivers every forwarded frame meets are called by their sealed types, not through Receive's
            // virtual slot, so their code is inlined here: the next tap's write(2) then returns through fewer frames
            // (docs/performance.md#call-depth).
            result = (flags & PacketFlags.Raw) != 0 && receiver.VnetHdrLen != 0
                ? receiver.ReceiveRaw(data)
                : receiver switch
                {
                    HubPort port => port.Receive(data),
                    TapBackend tap => tap.Receive(data),
                    _ => receiver.Receive(data),
                };
        }
        finally
        {
            Delivering = false;
        }

        if (result == 0)
        {
            receiver.ReceiveDisabled = true;
        }
        else if (result < 0)
        {
            sender.Counters.CountDrop(DropReason.Rejected);
        }
        else
        {
            receiver.Counters.CountReceived(data.Length);
        }

        return result;
    }

    /// <summary>Q8: copy the packet to the tail, or drop it when a callback-less queue is full.</summary>
    private void Append(NetClient sender, PacketFlags flags, ReadOnlySpan<byte> data, INetCompletion? completion)
    {
        if (_count >= NetLimits.QueueLimitWithoutCallback && completion is null)
        {
            sender.Counters.CountDrop(sender.TxLimit is { Blocked: true } || _receiver.RxLimit is { Blocked: true }
                ? DropReason.RateLimited
                : DropReason.QueueOverflow);
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(data.Length, 1));
        data.CopyTo(buffer);
        EnsureRoom();
        _ring[(_head + _count) % _ring.Length] = new QueuedPacket
        {
            Sender = sender,
            Flags = flags,
            Buffer = buffer,
            Length = data.Length,
            Completion = completion,
        };
        _count++;
    }

    private QueuedPacket PopHead()
    {
        var packet = _ring[_head];
        _ring[_head] = default;
        _head = (_head + 1) % _ring.Length;
        _count--;
        return packet;
    }

    private void PushHead(QueuedPacket packet)
    {
        EnsureRoom();
        _head = (_head - 1 + _ring.Length) % _ring.Length;
        _ring[_head] = packet;
        _count++;
    }

    private void EnsureRoom()
    {
        if (_count < _ring.Length)
        {
            return;
        }

        var bigger = new QueuedPacket[_ring.Length * 2];
        for (int i = 0; i < _count; i++)
        {
            bigger[i] = _ring[(_head + i) % _ring.Length];
        }
        _ring = bigger;
        _head = 0;
    }
}
