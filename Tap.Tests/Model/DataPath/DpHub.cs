namespace Tap.Tests.Model.DataPath;

/// <summary>A hub (Q20-Q25): ports newest first; a packet from one port goes out of every other.</summary>
public sealed class DpHub
{
    /// <summary>Newest first (Q20).</summary>
    public List<DpHubPort> Ports { get; } = new();

    public DpHubPort AddPort(DpNet net, string name)
    {
        var port = new DpHubPort(net, this, name);
        Ports.Insert(0, port);
        net.Add(port, null);
        return port;
    }

    /// <summary>Q22: some other port can send.</summary>
    public bool CanReceiveOn(DpHubPort source) => Ports.Any(q => !ReferenceEquals(q, source) && DpNet.CanSend(q));

    /// <summary>Q23: out of every other port, newest first, without completions; the hub always takes the packet.</summary>
    public int Forward(DpHubPort source, byte[] packet)
    {
        foreach (var q in Ports.ToList())
        {
            if (!ReferenceEquals(q, source))
            {
                q.Net.SendAsync(q, packet, wantsCompletion: false);
            }
        }
        return packet.Length;
    }

    /// <summary>Q24.</summary>
    public void FlushOtherPorts(DpHubPort source)
    {
        foreach (var q in Ports.ToList())
        {
            if (!ReferenceEquals(q, source))
            {
                DpNet.Flush(q);
            }
        }
    }
}
