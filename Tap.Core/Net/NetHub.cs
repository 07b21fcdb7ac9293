namespace Tap.Core.Net;

/// <summary>A hub: every packet received on one port is sent out of every other port (Q20-Q25).</summary>
public sealed class NetHub
{
    private readonly NetStack _stack;
    private readonly List<HubPort> _ports = new();

    // The same ports as an array, remade when one is added or removed: the per-frame loops (Q22, Q23) then index an
    // array the JIT/AOT checks once, not a List through its wrapper.
    private HubPort[] _portArray = [];
    private int _nextPortIndex;

    internal NetHub(NetStack stack, int id)
    {
        _stack = stack;
        Id = id;
    }

    /// <summary>The hub id (any int32).</summary>
    public int Id { get; }

    /// <summary>Ports, newest first (Q20).</summary>
    public IReadOnlyList<HubPort> Ports => _ports;

    /// <summary>
    /// Adds a port named <paramref name="name"/> (or <c>hub&lt;id&gt;port&lt;k&gt;</c>) peered with
    /// <paramref name="peer"/>.
    /// </summary>
    public HubPort AddPort(string? name, NetClient? peer)
    {
        string portName = name ?? $"hub{Id}port{_nextPortIndex}";
        _nextPortIndex++;
        var port = new HubPort(_stack, this, portName, peer);
        _ports.Insert(0, port);
        _portArray = _ports.ToArray();
        return port;
    }

    internal void RemovePort(HubPort port)
    {
        _ports.Remove(port);
        _portArray = _ports.ToArray();
    }

    /// <summary>Q22: some other port could send now.</summary>
    internal bool CanReceiveOn(HubPort source)
    {
        foreach (var q in _portArray)
        {
            if (!ReferenceEquals(q, source) && _stack.CanSend(q))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Q23: copy the packet out of every other port, newest first, without callbacks.</summary>
    internal int Forward(HubPort source, ReadOnlySpan<byte> packet)
    {
        // The array is a snapshot: a port deleted by an earlier send in this loop has no peer any more, so its send
        // only counts a no-peer drop on the deleted port; one added meanwhile is not reached (QEMU's list walk would
        // not reach a port inserted at the head either).
        foreach (var q in _portArray)
        {
            if (!ReferenceEquals(q, source))
            {
                q.Send(packet);
            }
        }
        return packet.Length;
    }

    /// <summary>
    /// Q24: flush the incoming queues of every other port. QEMU's net_hub_flush also says whether any ended empty, to
    /// wake its main loop; here the completions restart the readers, so nobody needs that answer.
    /// </summary>
    internal void FlushOtherPorts(HubPort source)
    {
        foreach (var q in _portArray)
        {
            if (!ReferenceEquals(q, source))
            {
                q.IncomingQueue.Flush();
            }
        }
    }
}
