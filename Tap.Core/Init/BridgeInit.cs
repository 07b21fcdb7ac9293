using Tap.Core.Backend;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;

namespace Tap.Core.Init;

/// <summary>
/// <c>-netdev bridge</c> (netdev-options.md §5): a tap from the bridge helper, no sndbuf, vhost or scripts.
/// </summary>
public static class BridgeInit
{
    /// <summary>Creates the netdev or returns the message; nothing stays open on failure (D-3, D-7, D-8).</summary>
    public static NetdevInitResult Run(
        NetStack stack, IOsNet os, NetdevEnvironment env, BridgeOptions bridge, NetClient? peer = null)
    {
        string helper = bridge.Helper ?? env.DefaultBridgeHelper;
        string br = bridge.Br ?? env.DefaultBridge;
        if (BridgeHelperRunner.CheckOptions(helper, br) is { } optionError)
        {
            return NetdevInitResult.Fail(optionError);
        }

        var (fd, error) = BridgeHelperRunner.Run(os, helper, br, stack.Programs);
        if (error is not null)
        {
            return NetdevInitResult.Fail(error);
        }
        if (TapInit.PrepareReceivedFd(os, fd, out bool vnetHdr) is { } prepareError)
        {
            os.Close(fd);
            return NetdevInitResult.Fail(prepareError);
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
