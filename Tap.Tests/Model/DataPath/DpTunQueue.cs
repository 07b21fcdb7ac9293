namespace Tap.Tests.Model.DataPath;

/// <summary>One queue (one fd) of a modelled tap device (linux-tun.md §9, §10).</summary>
public sealed class DpTunQueue(DpTunDevice device, int fd)
{
    public DpTunDevice Device { get; } = device;
    public int Fd { get; } = fd;

    /// <summary>Frames the host sent, waiting to be read: the 10 metadata header bytes and the frame.</summary>
    public Queue<(byte[] Header, byte[] Frame)> Ring { get; } = new();

    /// <summary>Detached by TUNSETQUEUE (§8.1): nothing is delivered to it; writes still go out.</summary>
    public bool Detached { get; set; }

    /// <summary>TUNSETSNDBUF value; a fresh fd has INT_MAX (§7).</summary>
    public int SndBuf { get; set; } = int.MaxValue;

    /// <summary>Bytes written and not yet taken by the host (they count against <see cref="SndBuf"/>).</summary>
    public long InFlight { get; set; }

    /// <summary>Whole writes (header included) the host has not looked at yet.</summary>
    public List<byte[]> Written { get; } = new();

    /// <summary>Frames thrown away by a detach or a close.</summary>
    public long Purged { get; set; }

    /// <summary>Empties the ring, counting what is lost.</summary>
    public void Purge()
    {
        Purged += Ring.Count;
        Ring.Clear();
    }
}
