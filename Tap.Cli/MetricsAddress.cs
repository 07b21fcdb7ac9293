using System.Globalization;

namespace Tap.Cli;

/// <summary>
/// The address of <c>--metrics=HOST:PORT</c>: a name or IPv4 address, or an IPv6 address in brackets
/// (<c>[::1]:9464</c>), as it goes into an http URL.
/// </summary>
public sealed record MetricsAddress(string Host, int Port)
{
    /// <summary>Where a scraper reads the exposition.</summary>
    public string ScrapeUrl => $"http://{Host}:{Port.ToString(CultureInfo.InvariantCulture)}/metrics";

    /// <summary>HOST:PORT, or null when either part is missing or the port is not 1-65535.</summary>
    public static MetricsAddress? Parse(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture,
            out int port) || port is < 1 or > 65535)
        {
            return null;
        }
        string host = text[..colon];
        bool bracketed = host.StartsWith('[') && host.EndsWith(']');
        return host.Contains(':') && !bracketed ? null : new MetricsAddress(host, port);
    }
}
