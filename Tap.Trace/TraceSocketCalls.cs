using System.Globalization;
using System.Net;
using Tap.Core.Abi;
using Tap.Core.Os;

namespace Tap.Trace;

/// <summary>
/// The results of the socket calls of <see cref="IOsNet"/> read back from a trace (docs/trace-format.md,
/// docs/stream-dgram.md ST2); <see cref="KernelCalls"/> writes them and spells address tokens.
/// </summary>
public static class TraceSocketCalls
{
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
