using M = Tap.Core.Options.MemberOf<Tap.Core.Options.HubPortOptions>;

namespace Tap.Core.Options;

/// <summary>The members of <c>-netdev hubport</c> in QEMU's declaration order (O8, netdev-options §3).</summary>
public static class HubPortTable
{
    /// <summary>The table: hubid must be given (<c>Parameter 'hubid' is missing</c>).</summary>
    public static readonly NetdevType Type = new("hubport", "a port of hub N, peered with netdev ID",
        id => new HubPortOptions { Id = id },
    [
        M.Int32("hubid", null, null, (o, v) => o with { HubId = v }, required: true),
        M.Str("netdev", "ID", null, null, (o, v) => o with { Netdev = v }),
    ]);
}
