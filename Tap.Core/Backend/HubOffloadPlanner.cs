using Tap.Core.Abi;
using Tap.Core.Net;

namespace Tap.Core.Backend;

/// <summary>
/// Beyond QEMU: when every port of a hub is a tap with a vnet header, keep the header end to end and let the
/// kernel hand over and take GSO super-frames (TSO, checksum offload, ECN, and UFO/USO where every tap has them),
/// so 64 KB segments cross unsplit. A hub with any other kind of port keeps every offload off: a port that cannot
/// take a GSO frame must never be handed one.
/// </summary>
public static class HubOffloadPlanner
{
    /// <summary>What was decided for one hub.</summary>
    public sealed record Decision(int HubId, bool Enabled, TunOffload Offloads, string Reason);

    /// <summary>Applies the plan to every hub of <paramref name="stack"/>; returns one decision per hub.</summary>
    public static IReadOnlyList<Decision> Apply(NetStack stack)
    {
        var decisions = new List<Decision>();
        foreach (var hub in stack.Hubs)
        {
            decisions.Add(Plan(hub));
        }
        return decisions;
    }

    private static Decision Plan(NetHub hub)
    {
        if (hub.Ports.Count < 2)
        {
            return new Decision(hub.Id, false, TunOffload.None, "fewer than two ports");
        }
        var taps = new List<TapBackend>();
        foreach (var port in hub.Ports)
        {
            if (port.Peer is not TapBackend tap)
            {
                return new Decision(hub.Id, false, TunOffload.None, $"port {port.Name} is not a tap");
            }
            if (tap.Observer is not null || port.Observer is not null)
            {
                // A capture records Ethernet frames: it cannot take a header or a GSO super-frame.
                return new Decision(hub.Id, false, TunOffload.None, $"netdev {tap.Name} is captured");
            }
            if (!tap.HasVnetHdr || tap.UsingVnetHdr || tap.VhostFd is not null)
            {
                return new Decision(hub.Id, false, TunOffload.None, $"netdev {tap.Name} has no vnet header of its own");
            }
            taps.Add(tap);
        }

        var offloads = TunOffload.Csum | TunOffload.Tso4 | TunOffload.Tso6 | TunOffload.TsoEcn;
        if (taps.TrueForAll(t => t.HasUfo))
        {
            offloads |= TunOffload.Ufo;
        }
        if (taps.TrueForAll(t => t.HasUso))
        {
            offloads |= TunOffload.Uso4 | TunOffload.Uso6;
        }
        for (int i = 0; i < taps.Count; i++)
        {
            // The hub passes each frame with its header; the receiving tap writes it as is (R11, R30).
            if (!taps[i].SetVnetHdrLen(VirtioNetHeader.Size))
            {
                // The taps already switched would hand their header to ports that add one of their own: give it back.
                for (int j = 0; j < i; j++)
                {
                    taps[j].ReturnVnetHdr();
                }
                return new Decision(hub.Id, false, TunOffload.None, $"netdev {taps[i].Name} refused the header length");
            }
        }
        foreach (var tap in taps)
        {
            tap.SetOffload(offloads);
        }
        return new Decision(hub.Id, true, offloads, "every port is a tap with a vnet header");
    }
}
