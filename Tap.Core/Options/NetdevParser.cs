using Tap.Core.Os;

namespace Tap.Core.Options;

/// <summary>
/// Parses a <c>-netdev</c> argument in QEMU's traditional syntax (or JSON when it starts with <c>{</c>) into typed
/// options, checking in QEMU's order: id, type, the type's members in declaration order, unknown keys last (O6-O9).
/// </summary>
public static class NetdevParser
{
    /// <summary>The backend types this build implements; QEMU's other types are refused like unknown ones.</summary>
    public static readonly IReadOnlyList<string> Types = new[] { "tap", "bridge", "hubport" };

    private static readonly string[] TapMembers =
    {
        "ifname", "fd", "fds", "script", "downscript", "br", "helper", "sndbuf", "vnet_hdr", "vhost", "vhostfd", "vhostfds",
        "vhostforce", "queues", "poll-us",
    };
    private static readonly string[] BridgeMembers = { "br", "helper" };
    private static readonly string[] HubPortMembers = { "hubid", "netdev" };

    /// <summary>Parses one argument.</summary>
    public static NetdevParseResult Parse(string argument)
    {
        if (argument.StartsWith('{'))
        {
            return JsonNetdevParser.Parse(argument);
        }

        var warnings = new List<Diagnostic>();
        if (argument is "help" or "?")
        {
            return new NetdevParseResult(null, null, warnings,
                "Available netdev backend types:\n" + string.Concat(Types.Select(t => t + "\n")));
        }
        var items = QemuOptsSplitter.Split(argument, "type", warnings);

        string? id = QemuOptsSplitter.FindId(argument);
        if (id is null)
        {
            return Fail("Parameter 'id' is missing", warnings);
        }
        if (!IsIdentifier(id))
        {
            return Fail("Parameter 'id' expects an identifier\nIdentifiers consist of letters, digits, '-', '.', '_', starting with a letter.", warnings);
        }

        // O7: every key but id: the last occurrence wins. id items after the first are dropped.
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var item in items)
        {
            if (item.Key == "id")
            {
                continue;
            }
            if (!values.ContainsKey(item.Key))
            {
                order.Add(item.Key);
            }
            values[item.Key] = item.Value;
        }

        if (!values.TryGetValue("type", out string? type))
        {
            return Fail("Parameter 'type' is missing", warnings);
        }
        if (type == "nic")
        {
            return Fail("network backend 'nic' is not compiled into this binary", warnings);
        }
        if (!Types.Contains(type))
        {
            return Fail($"Parameter 'type' does not accept value '{type}'", warnings);
        }

        var reader = new MemberReader(values, warnings);
        NetdevOptions options;
        string[] members;
        switch (type)
        {
            case "tap":
                members = TapMembers;
                options = new TapOptions
                {
                    Id = id,
                    Ifname = reader.Str("ifname"),
                    Fd = reader.Str("fd"),
                    Fds = reader.Str("fds"),
                    Script = reader.Str("script"),
                    Downscript = reader.Str("downscript"),
                    Br = reader.Str("br"),
                    Helper = reader.Str("helper"),
                    Sndbuf = reader.Size("sndbuf"),
                    VnetHdr = reader.Bool("vnet_hdr"),
                    Vhost = reader.Bool("vhost"),
                    Vhostfd = reader.Str("vhostfd"),
                    Vhostfds = reader.Str("vhostfds"),
                    Vhostforce = reader.Bool("vhostforce"),
                    Queues = reader.UInt32("queues"),
                    PollUs = reader.UInt32("poll-us"),
                };
                break;
            case "bridge":
                members = BridgeMembers;
                options = new BridgeOptions { Id = id, Br = reader.Str("br"), Helper = reader.Str("helper") };
                break;
            default:
                members = HubPortMembers;
                int? hubId = reader.Int32("hubid");
                if (reader.Error is null && hubId is null)
                {
                    return Fail("Parameter 'hubid' is missing", warnings);
                }
                options = new HubPortOptions { Id = id, HubId = hubId ?? 0, Netdev = reader.Str("netdev") };
                break;
        }
        if (reader.Error is { } error)
        {
            return Fail(error, warnings);
        }

        foreach (var key in order)
        {
            if (key != "type" && Array.IndexOf(members, key) < 0)
            {
                return Fail($"Invalid parameter '{key}'", warnings);
            }
        }
        return new NetdevParseResult(options, null, warnings);
    }

    /// <summary>O6: an ASCII letter, then letters, digits, '-', '.', '_'.</summary>
    public static bool IsIdentifier(string id)
    {
        if (id.Length == 0 || !char.IsAsciiLetter(id[0]))
        {
            return false;
        }
        foreach (char c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '.' and not '_')
            {
                return false;
            }
        }
        return true;
    }

    private static NetdevParseResult Fail(string message, List<Diagnostic> warnings) => new(null, message, warnings);

    /// <summary>Reads members in declaration order; only the first bad value is reported (O8).</summary>
    private sealed class MemberReader(Dictionary<string, string> values, List<Diagnostic> warnings)
    {
        public string? Error { get; private set; }

        public string? Str(string key) => values.TryGetValue(key, out var v) ? v : null;

        public bool? Bool(string key)
        {
            if (Error is not null || !values.TryGetValue(key, out var v))
            {
                return null;
            }
            if (OptionValues.TryBool(key, v, out bool b, out var e))
            {
                return b;
            }
            Error = e;
            return null;
        }

        public uint? UInt32(string key)
        {
            if (Error is not null || !values.TryGetValue(key, out var v))
            {
                return null;
            }
            if (OptionValues.TryUInt32(key, v, out uint n, out var e))
            {
                return n;
            }
            Error = e;
            return null;
        }

        public int? Int32(string key)
        {
            if (Error is not null || !values.TryGetValue(key, out var v))
            {
                return null;
            }
            if (OptionValues.TryInt32(key, v, out int n, out var e))
            {
                return n;
            }
            Error = e;
            return null;
        }

        public ulong? Size(string key)
        {
            if (Error is not null || !values.TryGetValue(key, out var v))
            {
                return null;
            }
            if (OptionValues.TrySize(key, v, out ulong n, out var e, warnings))
            {
                return n;
            }
            Error = e;
            return null;
        }
    }
}
