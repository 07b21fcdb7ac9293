namespace Tap.Core.Options;

/// <summary>
/// QAPI's <c>SocketAddress</c> as <c>-netdev stream</c> and <c>-netdev dgram</c> take it (ST3): a union on
/// <c>type</c>, one record per branch, members as given (absent optional members are null).
/// </summary>
public abstract record SocketAddressOptions
{
    /// <summary>The value of <c>type</c>.</summary>
    public abstract string Kind { get; }
}

/// <summary><c>type=inet</c>: <c>InetSocketAddress</c>; port is a string (a number or a service name).</summary>
public sealed record InetAddressOptions(string Host, string Port) : SocketAddressOptions
{
    /// <inheritdoc/>
    public override string Kind => "inet";
    public bool? Numeric { get; init; }
    public ushort? To { get; init; }
    public bool? Ipv4 { get; init; }
    public bool? Ipv6 { get; init; }
    public bool? KeepAlive { get; init; }
    public uint? KeepAliveCount { get; init; }
    public uint? KeepAliveIdle { get; init; }
    public uint? KeepAliveInterval { get; init; }
    public bool? Mptcp { get; init; }
}

/// <summary><c>type=unix</c>: <c>UnixSocketAddress</c>.</summary>
public sealed record UnixAddressOptions(string Path) : SocketAddressOptions
{
    /// <inheritdoc/>
    public override string Kind => "unix";
    public bool? Abstract { get; init; }
    public bool? Tight { get; init; }
}

/// <summary><c>type=fd</c>: an fd number or a monitor fd name in <c>str</c>.</summary>
public sealed record FdAddressOptions(string Str) : SocketAddressOptions
{
    /// <inheritdoc/>
    public override string Kind => "fd";
}

/// <summary><c>type=vsock</c>: parsed as QEMU does, refused when the netdev is created (ST4).</summary>
public sealed record VsockAddressOptions(string Cid, string Port) : SocketAddressOptions
{
    /// <inheritdoc/>
    public override string Kind => "vsock";
}
