namespace Tap.Core.Options;

/// <summary><c>-netdev stream</c> (QAPI <c>NetdevStreamOptions</c>, ST3).</summary>
public sealed record StreamOptions : NetdevOptions
{
    /// <inheritdoc/>
    public override string Type => "stream";
    public required SocketAddressOptions Addr { get; init; }
    public bool? Server { get; init; }
    /// <summary>Seconds between reconnect attempts (deprecated in the seed's QEMU for reconnect-ms).</summary>
    public uint? Reconnect { get; init; }
    public uint? ReconnectMs { get; init; }
}

/// <summary><c>-netdev dgram</c> (QAPI <c>NetdevDgramOptions</c>, DG1).</summary>
public sealed record DgramOptions : NetdevOptions
{
    /// <inheritdoc/>
    public override string Type => "dgram";
    public SocketAddressOptions? Local { get; init; }
    public SocketAddressOptions? Remote { get; init; }
}
