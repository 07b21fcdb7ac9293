using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;

namespace Tap.Core.Init;

/// <summary><c>-netdev bridge</c> (netdev-options.md §5): a tap from the bridge helper, no sndbuf, vhost or scripts.</summary>
public static class BridgeInit
{
    /// <summary>Creates the netdev or returns the message; nothing stays open on failure (D-3, D-7, D-8).</summary>
    public static NetdevInitResult Run(NetStack stack, IOsNet os, NetdevEnvironment env, BridgeOptions bridge, NetClient? peer = null)
    {
        string helper = bridge.Helper ?? env.DefaultBridgeHelper;
        string br = bridge.Br ?? env.DefaultBridge;

        var (fd, error) = BridgeHelperRunner.Run(os, helper, br);
        if (error is not null)
        {
            return NetdevInitResult.Fail(error);
        }
        var nb = os.SetNonBlocking(fd);
        if (!nb.Ok)
        {
            os.Close(fd);
            return NetdevInitResult.Fail($"Failed to set FD nonblocking: {ErrnoText.Of(nb.Error)}");
        }
        var (vnetHdr, probeError) = TapOpener.ProbeVnetHdr(os, fd);
        if (probeError is not null)
        {
            os.Close(fd);
            return NetdevInitResult.Fail(probeError);
        }

        var s = TapBackend.Create(stack, peer, "bridge", bridge.Id, os, fd, vnetHdr);
        if (s.CreationError is { } creation)
        {
            stack.Delete(s);
            return NetdevInitResult.Fail(creation);
        }
        // glibc prints a null helper as "(null)", and QEMU's info string shows it (verified).
        s.SetInfoStr($"helper={bridge.Helper ?? "(null)"},br={br}");
        return NetdevInitResult.Success(new NetClient[] { s });
    }
}
