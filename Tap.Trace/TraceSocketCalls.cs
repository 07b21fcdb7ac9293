using System.Globalization;
using System.Net;
using System.Text;
using Tap.Core.Abi;
using Tap.Core.Os;

namespace Tap.Trace;

/// <summary>
/// The spelling of the socket calls of <see cref="IOsNet"/> in a trace (docs/trace-format.md, docs/stream-dgram.md
/// ST2), and their results read back. An address is one string token: <c>i:ADDRESS:PORT</c> for inet,
/// <c>u:FLAGS:PATH</c> for unix (flags <c>a</c> abstract, <c>t</c> tight, <c>-</c> neither).
/// </summary>
public static class TraceSocketCalls
{
    public static string Socket(SockDomain d, SockType t) => $"Socket {d} {t}";
    public static string SetSockOpt(Fd fd, SockOption o, int v) => $"SetSockOpt {fd} {o} {v}";
    public static string JoinMulticast(Fd fd, IPAddress g, IPAddress l) => $"JoinMulticast {fd} {g} {l}";
    public static string SetMulticastInterface(Fd fd, IPAddress l) => $"SetMulticastInterface {fd} {l}";
    public static string Bind(Fd fd, SockAddr a) => new StringBuilder("Bind ").Append(fd).SpStr(Addr(a)).ToString();
    public static string Listen(Fd fd, int backlog) => $"Listen {fd} {backlog}";
    public static string Accept(Fd fd) => "Accept " + fd;
    public static string Connect(Fd fd, SockAddr a) =>
        new StringBuilder("Connect ").Append(fd).SpStr(Addr(a)).ToString();
    public static string TakeSocketError(Fd fd) => "TakeSocketError " + fd;
    public static string GetSockName(Fd fd) => "GetSockName " + fd;
    public static string GetPeerName(Fd fd) => "GetPeerName " + fd;

    public static string SendTo(Fd fd, ReadOnlySpan<byte> datagram, SockAddr? to, TracePayloads mode) =>
        new StringBuilder("SendTo ").Append(fd).SpBytes(datagram, mode).SpStr(to is null ? "-" : Addr(to)).ToString();

    public static string Unlink(string path) => new StringBuilder("Unlink").SpStr(path).ToString();
    public static string ResolveHost(string host) => new StringBuilder("ResolveHost").SpStr(host).ToString();

    // ---- Results ----

    public static string Result(SysResult<PendingError> r) =>
        r.Ok ? new StringBuilder("ok").SpErrno(r.Value.Error).ToString() : TraceCalls.Result(new SysResult(r.Error));

    public static string Result(SysResult<SockAddr> r) =>
        r.Ok ? new StringBuilder("ok").SpStr(Addr(r.Value)).ToString() : TraceCalls.Result(new SysResult(r.Error));

    public static string Result(SysResult<IReadOnlyList<IPAddress>> r)
    {
        if (!r.Ok)
        {
            return TraceCalls.Result(new SysResult(r.Error));
        }
        var sb = new StringBuilder("ok").SpInt(r.Value.Count);
        foreach (var a in r.Value)
        {
            sb.Append(' ').Append(a);
        }
        return sb.ToString();
    }

    /// <exception cref="FormatException">Not a result of this shape.</exception>
    public static SysResult<PendingError> ParsePending(IReadOnlyList<string> t) =>
        t.Count == 2 && t[0] == "ok" ? new PendingError(TraceText.ErrnoOf(t[1])) : Err(t);

    /// <exception cref="FormatException">Not a result of this shape.</exception>
    public static SysResult<SockAddr> ParseAddr(IReadOnlyList<string> t) =>
        t.Count == 2 && t[0] == "ok" ? ParseAddrText(TraceText.Unquote(t[1])) : Err(t);

    /// <exception cref="FormatException">Not a result of this shape.</exception>
    public static SysResult<IReadOnlyList<IPAddress>> ParseAddresses(IReadOnlyList<string> t)
    {
        if (t.Count >= 2 && t[0] == "ok")
        {
            int n = TraceText.Int(t[1]);
            if (n < 0 || t.Count != n + 2)
            {
                throw new FormatException($"ResolveHost: {n} addresses announced, {t.Count - 2} found");
            }
            var list = new List<IPAddress>();
            for (int i = 0; i < n; i++)
            {
                list.Add(IPAddress.TryParse(t[i + 2], out var a)
                    ? a
                    : throw new FormatException($"bad address {t[i + 2]}"));
            }
            return new SysResult<IReadOnlyList<IPAddress>>(list, Errno.None);
        }
        return new SysResult<IReadOnlyList<IPAddress>>(Array.Empty<IPAddress>(), TraceCalls.ParseSys(t).Error);
    }

    private static Errno Err(IReadOnlyList<string> t)
    {
        var e = TraceCalls.ParseSys(t);
        return e.Ok ? throw new FormatException("expected a value after 'ok'") : e.Error;
    }

    /// <summary>One token for an address.</summary>
    public static string Addr(SockAddr a) => a switch
    {
        InetSockAddr i => $"i:{i.Address}:{i.Port.ToString(CultureInfo.InvariantCulture)}",
        UnixSockAddr u => $"u:{UnixFlags(u)}:{u.Path}",
        _ => "?",
    };

    private static string UnixFlags(UnixSockAddr u) =>
        !u.Abstract && !u.Tight ? "-" : (u.Abstract ? "a" : "") + (u.Tight ? "t" : "");

    /// <exception cref="FormatException">Not an address token.</exception>
    public static SockAddr ParseAddrText(string s)
    {
        if (s.StartsWith("i:", StringComparison.Ordinal))
        {
            int colon = s.LastIndexOf(':');
            if (colon > 2 && IPAddress.TryParse(s[2..colon], out var ip)
                && int.TryParse(s[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port))
            {
                return new InetSockAddr(ip, port);
            }
        }
        else if (s.StartsWith("u:", StringComparison.Ordinal) && s.IndexOf(':', 2) is > 2 and var end)
        {
            string flags = s[2..end];
            return new UnixSockAddr(s[(end + 1)..], flags.Contains('a'), flags.Contains('t'));
        }
        throw new FormatException($"{TraceText.Shorten(s)} is not an address");
    }
}
