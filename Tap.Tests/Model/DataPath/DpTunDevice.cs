namespace Tap.Tests.Model.DataPath;

/// <summary>A modelled tap interface: the per-device state of linux-tun.md §9-§10.</summary>
public sealed class DpTunDevice(string name, bool vnetHdr, bool multiQueue)
{
    public string Name { get; } = name;
    public bool VnetHdr { get; } = vnetHdr;
    public bool MultiQueue { get; } = multiQueue;

    /// <summary>TUNSETVNETHDRSZ value; 10 on a new device (§5).</summary>
    public int HdrSize { get; set; } = 10;

    /// <summary>TUNSETOFFLOAD mask last accepted.</summary>
    public int Offload { get; set; }

    /// <summary>TUNSETVNETLE value.</summary>
    public bool VnetLe { get; set; }

    /// <summary>A new tap is administratively down (writes fail with EIO, §9 writes 2).</summary>
    public bool Up { get; set; }

    public List<DpTunQueue> Queues { get; } = new();

    /// <summary>Deleted under its users (<c>ip link del</c>): calls on its fds fail with EBADFD, and poll reports an error for good (§9).</summary>
    public bool Deleted { get; set; }

    /// <summary>Frames the host sent that the device dropped (full ring, or detached queue): TX dropped (D-18).</summary>
    public long HostDrops { get; set; }

    /// <summary>The header length every read starts with and every write must start with (0 without IFF_VNET_HDR).</summary>
    public int WireHeader => VnetHdr ? HdrSize : 0;
}
