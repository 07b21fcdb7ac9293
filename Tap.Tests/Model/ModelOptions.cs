using System.Globalization;

namespace Tap.Tests.Model;

public enum NetdevKind
{
    Tap,
    Bridge,
}

/// <summary>
/// Typed options of one <c>-netdev tap</c> / <c>-netdev bridge</c> AFTER parsing
/// (null = key absent). Bridge netdevs only use <see cref="Br"/> and
/// <see cref="Helper"/>. <see cref="HubPeer"/> is true for the legacy
/// <c>-net tap</c> form (a hub port is the peer, O2/O30); <see cref="FromMonitor"/>
/// is true for HMP/QMP hotplug (fd strings starting with a non-digit are
/// <c>getfd</c> names, O33).
/// </summary>
public sealed record ModelOptions
{
    public NetdevKind Kind { get; init; } = NetdevKind.Tap;
    public string Id { get; init; } = "t0";
    public bool HubPeer { get; init; }
    public bool FromMonitor { get; init; }

    public string? Ifname { get; init; }
    public string? Fd { get; init; }
    public string? Fds { get; init; }
    public string? Script { get; init; }
    public string? Downscript { get; init; }
    public string? Br { get; init; }
    public string? Helper { get; init; }
    public ulong? Sndbuf { get; init; }
    public bool? VnetHdr { get; init; }
    public bool? Vhost { get; init; }
    public string? Vhostfd { get; init; }
    public string? Vhostfds { get; init; }
    public bool? Vhostforce { get; init; }
    public uint? Queues { get; init; }
    public uint? PollUs { get; init; }

    /// <summary><c>tap,id=t0,script=no,downscript=no</c> — the "B" base of netdev-options.md §8.</summary>
    public static ModelOptions TapBase { get; } = new() { Script = "no", Downscript = "no" };

    /// <summary>
    /// Builds options from already-valid key/value items (last occurrence wins,
    /// O7). Values must be canonical: booleans <c>on/off/yes/no/true/false/y/n</c>,
    /// uint32 in C base-0 notation, sizes like <c>1k</c>/<c>1.5k</c>/<c>0x10</c>.
    /// Syntax errors are the parser's business and are tested elsewhere; here they
    /// throw <see cref="ArgumentException"/>. <c>type</c> and <c>id</c> may be items.
    /// </summary>
    public static ModelOptions FromItems(IEnumerable<KeyValuePair<string, string>> items)
    {
        var o = new ModelOptions();
        var idSeen = false;
        foreach (var (key, value) in items)
        {
            o = key switch
            {
                "type" => o with
                {
                    Kind = value switch
                    {
                        "tap" => NetdevKind.Tap,
                        "bridge" => NetdevKind.Bridge,
                        _ => throw new ArgumentException($"type '{value}' is not modelled"),
                    },
                },
                "id" => idSeen ? o : o with { Id = value },
                "ifname" => o with { Ifname = value },
                "fd" => o with { Fd = value },
                "fds" => o with { Fds = value },
                "script" => o with { Script = value },
                "downscript" => o with { Downscript = value },
                "br" => o with { Br = value },
                "helper" => o with { Helper = value },
                "sndbuf" => o with { Sndbuf = ParseSize(value) },
                "vnet_hdr" => o with { VnetHdr = ParseBool(value) },
                "vhost" => o with { Vhost = ParseBool(value) },
                "vhostfd" => o with { Vhostfd = value },
                "vhostfds" => o with { Vhostfds = value },
                "vhostforce" => o with { Vhostforce = ParseBool(value) },
                "queues" => o with { Queues = ParseUInt32(value) },
                "poll-us" => o with { PollUs = ParseUInt32(value) },
                _ => throw new ArgumentException($"key '{key}' is not a tap/bridge member"),
            };
            idSeen |= key == "id";
        }

        return o;
    }

    private static bool ParseBool(string v) => v switch
    {
        "on" or "yes" or "true" or "y" => true,
        "off" or "no" or "false" or "n" => false,
        _ => throw new ArgumentException($"'{v}' is not a boolean"),
    };

    private static uint ParseUInt32(string v)
    {
        var s = v.TrimStart(' ', '\t', '\n', '\v', '\f', '\r');
        if (s.StartsWith('+'))
        {
            s = s[1..];
        }

        ulong value;
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            value = ulong.Parse(s[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        }
        else if (s.Length > 1 && s[0] == '0')
        {
            value = Convert.ToUInt64(s[1..], 8);
        }
        else
        {
            value = ulong.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);
        }

        return checked((uint)value);
    }

    private static ulong ParseSize(string v)
    {
        var s = v.Trim();
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return ulong.Parse(s[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        }

        var shift = 0;
        if (s.Length > 0 && char.IsAsciiLetter(s[^1]))
        {
            shift = char.ToUpperInvariant(s[^1]) switch
            {
                'B' => 0,
                'K' => 10,
                'M' => 20,
                'G' => 30,
                'T' => 40,
                'P' => 50,
                'E' => 60,
                _ => throw new ArgumentException($"'{v}' is not a size"),
            };
            s = s[..^1];
        }

        var number = decimal.Parse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        return checked((ulong)decimal.Round(number * (decimal)Math.Pow(2, shift), MidpointRounding.AwayFromZero));
    }
}
