namespace Tap.Core.Net;

/// <summary>Q26: the startup warnings about clients that cannot pass traffic.</summary>
public static class ClientCheck
{
    /// <summary>
    /// The warnings, in QEMU's order: hub ports without a peer, then every other client without one. QEMU also
    /// warns "hub N with no nics"; tapnet joins host backends through hubs on purpose, so that one is left out.
    /// </summary>
    public static IReadOnlyList<string> Warnings(NetStack stack)
    {
        var warnings = new List<string>();
        foreach (var hub in stack.Hubs)
        {
            foreach (var port in hub.Ports)
            {
                if (port.Peer is null)
                {
                    warnings.Add($"hub port {port.Name} has no peer");
                }
            }
        }
        foreach (var c in stack.Clients)
        {
            if (c.Peer is null && c is not HubPort)
            {
                warnings.Add($"{(c.IsNic ? "nic" : "netdev")} {c.Name} has no peer");
            }
        }
        return warnings;
    }
}
