using System.Net;

namespace Tap.Core.Os;

/// <summary>A socket address as bind, connect, sendto and getsockname take or give it (ST2).</summary>
public abstract record SockAddr;

/// <summary>An IPv4 or IPv6 address and port (<c>struct sockaddr_in</c> / <c>sockaddr_in6</c>).</summary>
public sealed record InetSockAddr(IPAddress Address, int Port) : SockAddr
{
    /// <summary>The address as QEMU's <c>socket_uri</c> prints it: numeric host, no brackets.</summary>
    public string Host => Address.ToString();

    /// <inheritdoc/>
    public override string ToString() => $"{Host}:{Port}";
}

/// <summary>
/// A unix socket path (<c>struct sockaddr_un</c>). <see cref="Abstract"/>: in the abstract namespace (a leading
/// NUL, no file); <see cref="Tight"/>: the address length stops at the name rather than covering all of sun_path.
/// </summary>
public sealed record UnixSockAddr(string Path, bool Abstract = false, bool Tight = true) : SockAddr
{
    /// <summary>sizeof(sun_path): a path must be shorter (QEMU's "is too long" check).</summary>
    public const int SunPathBytes = 108;

    /// <inheritdoc/>
    public override string ToString() => Abstract ? "@" + Path : Path;
}
