using System.Globalization;
using System.Net;
using System.Text;

namespace Tap.Core.Os;

/// <summary>
/// The socket calls (docs/stream-dgram.md ST2). An address is one string token: <c>i:ADDRESS:PORT</c> for inet,
/// <c>u:FLAGS:PATH</c> for unix (flags <c>a</c> abstract, <c>t</c> tight, <c>-</c> neither).
/// </summary>
public static partial class KernelCalls
{
    public static string Socket(SockDomain d, SockType t) => $"Socket {d} {t}";
    public static string SetSockOpt(Fd fd, SockOption o, int v) => $"SetSockOpt {fd} {o} {v}";
    public static string JoinMulticast(Fd fd, IPAddress g, IPAddress l) => $"JoinMulticast {fd} {g} {l}";
    public static string SetMulticastInterface(Fd fd, IPAddress l) => $"SetMulticastInterface {fd} {l}";
    public static string Bind(Fd fd, SockAddr a) => new StringBuilder("Bind ").Append(fd).SpStr(Addr(a)).ToString();
    public static string Listen(Fd fd, int backlog) => FdInt("Listen ", fd, backlog);
    public static string Accept(Fd fd) => "Accept " + fd;
    public static string Connect(Fd fd, SockAddr a) =>
        new StringBuilder("Connect ").Append(fd).SpStr(Addr(a)).ToString();
    public static string TakeSocketError(Fd fd) => "TakeSocketError " + fd;
    public static string GetSockName(Fd fd) => "GetSockName " + fd;
    public static string GetPeerName(Fd fd) => "GetPeerName " + fd;

    public static string SendTo(Fd fd, ReadOnlySpan<byte> datagram, SockAddr? to, PayloadText payload) =>
        payload(new StringBuilder("SendTo ").Append(fd).Append(' '), datagram)
            .SpStr(to is null ? "-" : Addr(to)).ToString();

    public static string Unlink(string path) => new StringBuilder("Unlink").SpStr(path).ToString();
    public static string ResolveHost(string host) => new StringBuilder("ResolveHost").SpStr(host).ToString();

    /// <summary>One token for an address.</summary>
    public static string Addr(SockAddr a) => a switch
    {
        InetSockAddr i => $"i:{i.Address}:{i.Port.ToString(CultureInfo.InvariantCulture)}",
        UnixSockAddr u => $"u:{UnixFlags(u)}:{u.Path}",
        _ => "?",
    };

    private static string UnixFlags(UnixSockAddr u) =>
        !u.Abstract && !u.Tight ? "-" : (u.Abstract ? "a" : "") + (u.Tight ? "t" : "");
}
