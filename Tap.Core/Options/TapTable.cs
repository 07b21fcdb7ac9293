using M = Tap.Core.Options.MemberOf<Tap.Core.Options.TapOptions>;

namespace Tap.Core.Options;

/// <summary>
/// The members of <c>-netdev tap</c> in QEMU's declaration order (O8, netdev-options §3). What absence means is
/// decided at creation (O31-O36, <see cref="Init.NetdevEnvironment"/>); the texts here only say it for --help.
/// </summary>
public static class TapTable
{
    /// <summary>The table.</summary>
    public static readonly NetdevType Type = new("tap", "a TAP backend", id => new TapOptions { Id = id },
    [
        M.Str("ifname", "NAME", "interface name or template", "kernel picks tap%d", (o, v) => o with { Ifname = v }),
        M.Str("fd", "N", "already-open tap fd(s), one per queue", null, (o, v) => o with { Fd = v }),
        M.Str("fds", "N:N:...", null, null, (o, v) => o with { Fds = v }),
        M.Str("script", "PATH", "setup script", "/etc/qemu-ifup; \"no\" = none", (o, v) => o with { Script = v }),
        M.Str("downscript", "PATH", "teardown script", "/etc/qemu-ifdown; \"no\" = none",
            (o, v) => o with { Downscript = v }),
        M.Str("br", "BRIDGE", "bridge for the helper", "br0", (o, v) => o with { Br = v }),
        M.Str("helper", "PROGRAM [ARGS]", "get the tap from a bridge helper (no shell is used)", null,
            (o, v) => o with { Helper = v }),
        M.Size("sndbuf", "send-buffer limit", "unlimited", (o, v) => o with { Sndbuf = v }),
        M.Bool("vnet_hdr", "require / refuse the virtio-net header", "use if available",
            (o, v) => o with { VnetHdr = v }),
        M.Bool("vhost", "use vhost-net", "off; on if vhostfd= or vhostforce=on", (o, v) => o with { Vhost = v }),
        M.Str("vhostfd", "N", "already-open vhost-net fd(s)", null, (o, v) => o with { Vhostfd = v }),
        M.Str("vhostfds", "N:...", null, null, (o, v) => o with { Vhostfds = v }),
        M.Bool("vhostforce", "vhost on when vhost= is absent", "off", (o, v) => o with { Vhostforce = v }),
        M.UInt32("queues", "number of queues, 1 to 256", "1", (o, v) => o with { Queues = v }),
        M.UInt32("poll-us", "vhost busy-poll timeout in microseconds", "0", (o, v) => o with { PollUs = v }),
    ]);
}
