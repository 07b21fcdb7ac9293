namespace Tap.Core.Os;

/// <summary>socket(2)'s domain.</summary>
public enum SockDomain
{
    /// <summary>AF_INET.</summary>
    Inet,
    /// <summary>AF_INET6.</summary>
    Inet6,
    /// <summary>AF_UNIX.</summary>
    Unix,
}

/// <summary>socket(2)'s type.</summary>
public enum SockType
{
    /// <summary>SOCK_STREAM.</summary>
    Stream,
    /// <summary>SOCK_DGRAM.</summary>
    Dgram,
}

/// <summary>The integer socket options the socket backends set (setsockopt with an int value).</summary>
public enum SockOption
{
    /// <summary>SOL_SOCKET SO_REUSEADDR (QEMU's socket_set_fast_reuse).</summary>
    ReuseAddr,
    /// <summary>IPPROTO_TCP TCP_NODELAY (QEMU's qio_channel_set_delay(false)).</summary>
    TcpNoDelay,
    /// <summary>SOL_SOCKET SO_KEEPALIVE (addr.keep-alive=on).</summary>
    KeepAlive,
    /// <summary>IPPROTO_IP IP_MULTICAST_LOOP.</summary>
    MulticastLoop,
    /// <summary>IPPROTO_IP IP_MULTICAST_TTL.</summary>
    MulticastTtl,
}
