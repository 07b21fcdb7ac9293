namespace Tap.Core.Init;

/// <summary>Build-time paths and how the request arrived; Debian's values by default (netdev-options.md §3).</summary>
public sealed record NetdevEnvironment
{
    /// <summary>Default setup script.</summary>
    public string DefaultScript { get; init; } = "/etc/qemu-ifup";

    /// <summary>Default down script.</summary>
    public string DefaultDownScript { get; init; } = "/etc/qemu-ifdown";

    /// <summary>Default bridge helper.</summary>
    public string DefaultBridgeHelper { get; init; } = "/usr/lib/qemu/qemu-bridge-helper";

    /// <summary>Default bridge.</summary>
    public string DefaultBridge { get; init; } = "br0";

    /// <summary>True for monitor hotplug: fd strings that start with a non-digit are then fd names (O33).</summary>
    public bool FromMonitor { get; init; }
}
