using Tap.Core.Net;
using Tap.Core.Options;

namespace Tap.Core.Init;

/// <summary>
/// <c>-netdev hubport</c> (O50-O52): a port of hub <c>hubid</c>, optionally peered with an existing netdev.
/// </summary>
public static class HubPortInit
{
    /// <summary>Creates the port. Where QEMU asserts or recurses until it crashes, this returns an error.</summary>
    public static NetdevInitResult Run(NetStack stack, HubPortOptions options)
    {
        NetClient? peer = null;
        if (options.Netdev is { } name)
        {
            peer = stack.Find(name);
            if (peer is null || peer.IsNic)
            {
                return NetdevInitResult.Fail($"netdev '{name}' not found");
            }
            if (peer is HubPort other && other.Hub.Id == options.HubId)
            {
                return NetdevInitResult.Fail(InitMessages.HubLoop(name, options.HubId));
            }
            if (peer.Peer is not null)
            {
                return NetdevInitResult.Fail(InitMessages.NetdevHasPeer(name));
            }
        }

        var port = stack.GetOrCreateHub(options.HubId).AddPort(options.Id, peer);
        return NetdevInitResult.Success(new NetClient[] { port });
    }
}
