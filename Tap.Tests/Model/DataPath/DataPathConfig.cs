using System.Collections.Immutable;

namespace Tap.Tests.Model.DataPath;

/// <summary>
/// The topology of a data-path workload. <see cref="Hub"/> false: one netdev whose every queue is peered with its own
/// guest NIC. <see cref="Hub"/> true: every netdev (single queue) sits on a port of hub 0, and
/// <see cref="HubGuest"/> adds a guest NIC on one more port. <see cref="GuestVirtio"/> says per guest whether it is a
/// virtio-net NIC (no padding, Q16) or not (e1000: pads).
/// </summary>
public sealed record DataPathConfig(bool Hub, ImmutableArray<DataPathNetdev> Netdevs, bool HubGuest, ImmutableArray<bool> GuestVirtio)
{
    /// <summary>Number of guest NICs.</summary>
    public int Guests => GuestVirtio.Length;

    /// <summary>Queues of netdev <paramref name="dev"/>.</summary>
    public int QueuesOf(int dev) => Netdevs[dev].Queues;

    public override string ToString()
    {
        var parts = new List<string>();
        for (int j = 0; j < Netdevs.Length; j++)
        {
            parts.Add($"t{j}({Netdevs[j]})");
        }
        string guests = string.Join(",", GuestVirtio.Select(v => v ? "virtio" : "e1000"));
        return (Hub ? "hub0 of " : "direct ") + string.Join(" ", parts) + $" guests[{guests}]";
    }
}
