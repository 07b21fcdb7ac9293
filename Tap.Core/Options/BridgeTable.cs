using M = Tap.Core.Options.MemberOf<Tap.Core.Options.BridgeOptions>;

namespace Tap.Core.Options;

/// <summary>The members of <c>-netdev bridge</c> in QEMU's declaration order (O8, netdev-options §3).</summary>
public static class BridgeTable
{
    /// <summary>The table.</summary>
    public static readonly NetdevType Type = new("bridge", "a tap from the bridge helper",
        id => new BridgeOptions { Id = id },
    [
        M.Str("br", "BRIDGE", null, "br0", (o, v) => o with { Br = v }),
        M.Str("helper", "PROGRAM", null, "/usr/lib/qemu/qemu-bridge-helper", (o, v) => o with { Helper = v }),
    ]);
}
