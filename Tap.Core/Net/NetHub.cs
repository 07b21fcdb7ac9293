namespace Tap.Core.Net;

/// <summary>A hub: every packet received on one port is sent out of every other port (Q20-Q25).</summary>
public sealed class NetHub
{
    private readonly NetStack _stack;
    private readonly List<HubPort> _ports = new();
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
        return port;
    }

    internal void RemovePort(HubPort port) => _ports.Remove(port);

    /// <summary>Q22: some other port could send now.</summary>
    internal bool CanReceiveOn(HubPort source)
    {
        // Indexed loops: these run once per frame, and List's enumerator is not inlined for a shared generic type.
        for (int i = 0; i < _ports.Count; i++)
        {
            var q = _ports[i];
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
        for (int i = 0; i < _ports.Count; i++)
        {
            var q = _ports[i];
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
        for (int i = 0; i < _ports.Count; i++)
        {
            var q = _ports[i];
            if (!ReferenceEquals(q, source))
            {
                q.IncomingQueue.Flush();
            }
        }
    }
}
