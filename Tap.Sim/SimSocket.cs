using Tap.Core.Abi;
using Tap.Core.Os;

namespace Tap.Sim;

/// <summary>
/// One simulated socket (stream or datagram, inet or unix): its address, its state, the bytes or datagrams waiting
/// to be read, and for a connected stream the other end. The kernel's rules live in SimKernel.Sockets.
/// </summary>
public sealed class SimSocket(int id, SockDomain domain, SockType type)
{
    /// <summary>Bytes a stream end buffers for reading before writers see EAGAIN (a small socket buffer, so
    /// back-pressure and partial writes happen in short runs).</summary>
    public const int StreamBufferBytes = 256 * 1024;

    /// <summary>Datagrams a socket holds before more are dropped (the receive buffer full).</summary>
    public const int DgramQueueMax = 256;

    /// <summary>Creation order, for deterministic ordering.</summary>
    public int Id { get; } = id;
    public SockDomain Domain { get; } = domain;
    public SockType Type { get; } = type;
    public SockAddr? Local { get; set; }
    public bool ReuseAddr { get; set; }
    public bool Listening { get; set; }
    public int Backlog { get; set; }

    /// <summary>Connections the kernel completed that nobody accepted yet (server ends).</summary>
    public Queue<SimSocket> Pending { get; } = new();

    /// <summary>The other end of a connected stream.</summary>
    public SimSocket? Peer { get; set; }
    public SockAddr? Remote { get; set; }
    public bool Connecting { get; set; }

    /// <summary>What SO_ERROR returns next.</summary>
    public Errno PendingError { get; set; }

    /// <summary>The other end closed: reads return 0 once <see cref="Inbox"/> is empty; writes get EPIPE.</summary>
    public bool PeerClosed { get; set; }

    /// <summary>The connection was reset: reads and writes get ECONNRESET.</summary>
    public bool Reset { get; set; }

    /// <summary>Stream bytes waiting to be read.</summary>
    public Queue<byte> Inbox { get; } = new();

    /// <summary>Datagrams waiting to be read.</summary>
    public List<byte[]> Datagrams { get; } = new();

    /// <summary>Multicast groups joined.</summary>
    public SortedSet<string> Groups { get; } = new(StringComparer.Ordinal);

    public bool Closed { get; set; }
}
