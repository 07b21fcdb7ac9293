using Tap.Core.Options.Json;
using Tap.Core.Os;

namespace Tap.Core.Options;

/// <summary>O12: the JSON form of <c>-netdev</c>: the same members with strict JSON types.</summary>
public static class JsonNetdevParser
{
    private static readonly string[] TapStrings = { "ifname", "fd", "fds", "script", "downscript", "br", "helper", "vhostfd", "vhostfds" };
    private static readonly string[] TapBools = { "vnet_hdr", "vhost", "vhostforce" };

    /// <summary>Parses a JSON object argument.</summary>
    public static NetdevParseResult Parse(string json)
    {
        var (value, syntaxError) = QemuJson.Parse(json);
        if (syntaxError is not null)
        {
            return Fail(syntaxError);
        }
        if (value is not QDict root)
        {
            // QEMU's visitor finds no members in a value that is not an object.
            return Fail("Parameter 'id' is missing");
        }
        var fields = new Dictionary<string, QValue>(StringComparer.Ordinal);
        foreach (var (key, member) in root.Members)
        {
            fields[key] = member;
        }

        var reader = new Reader(fields);
        string? id = reader.Str("id");
        if (reader.Error is null && id is null)
        {
            return Fail("Parameter 'id' is missing");
        }
        string? type = reader.Str("type");
        if (reader.Error is { } e0)
        {
            return Fail(e0);
        }
        if (!NetdevParser.IsIdentifier(id!))
        {
            return Fail("Parameter 'id' expects an identifier\nIdentifiers consist of letters, digits, '-', '.', '_', starting with a letter.");
        }
        if (type is null)
        {
            return Fail("Parameter 'type' is missing");
        }
        if (!NetdevParser.Types.Contains(type))
        {
            return Fail($"Parameter 'type' does not accept value '{type}'");
        }

        NetdevOptions options;
        string[] members;
        switch (type)
        {
            case "tap":
                members = [.. TapStrings, .. TapBools, "sndbuf", "queues", "poll-us"];
                options = new TapOptions
                {
                    Id = id!,
                    Ifname = reader.Str("ifname"),
                    Fd = reader.Str("fd"),
                    Fds = reader.Str("fds"),
                    Script = reader.Str("script"),
                    Downscript = reader.Str("downscript"),
                    Br = reader.Str("br"),
                    Helper = reader.Str("helper"),
                    Sndbuf = reader.UInt64("sndbuf", "size"),
                    VnetHdr = reader.Bool("vnet_hdr"),
                    Vhost = reader.Bool("vhost"),
                    Vhostfd = reader.Str("vhostfd"),
                    Vhostfds = reader.Str("vhostfds"),
                    Vhostforce = reader.Bool("vhostforce"),
                    Queues = (uint?)reader.UInt64("queues", "uint32_t", uint.MaxValue),
                    PollUs = (uint?)reader.UInt64("poll-us", "uint32_t", uint.MaxValue),
                };
                break;
            case "bridge":
                members = ["br", "helper"];
                options = new BridgeOptions { Id = id!, Br = reader.Str("br"), Helper = reader.Str("helper") };
                break;
            default:
                members = ["hubid", "netdev"];
                long? hubId = reader.Int64("hubid");
                if (reader.Error is null && hubId is null)
                {
                    return Fail("Parameter 'hubid' is missing");
                }
                if (reader.Error is null && hubId is < int.MinValue or > int.MaxValue)
                {
                    return Fail("Parameter 'hubid' expects int32_t");
                }
                options = new HubPortOptions { Id = id!, HubId = (int)(hubId ?? 0), Netdev = reader.Str("netdev") };
                break;
        }
        if (reader.Error is { } error)
        {
            return Fail(error);
        }
        foreach (var (key, _) in root.Members)
        {
            if (key is not "id" and not "type" && Array.IndexOf(members, key) < 0)
            {
                return Fail($"Parameter '{key}' is unexpected");
            }
        }
        return new NetdevParseResult(options, null, Array.Empty<Diagnostic>());

        static NetdevParseResult Fail(string message) => new(null, message, Array.Empty<Diagnostic>());
    }

    /// <summary>The member visitor of QEMU's JSON input (qobject-input-visitor): the first error is kept.</summary>
    private sealed class Reader(Dictionary<string, QValue> fields)
    {
        public string? Error { get; private set; }

        private bool TryGet(string key, out QValue value) => fields.TryGetValue(key, out value!) && Error is null;

        public string? Str(string key)
        {
            if (!TryGet(key, out var v))
            {
                return null;
            }
            if (v is QString { Value: var text })
            {
                if (!text.Contains('\0'))
                {
                    return text;
                }
                // \u0000: QEMU passes a modified-UTF-8 NUL to C code that cannot hold one; we refuse it.
                Error = $"Parameter '{key}' expects a string without NUL characters";
                return null;
            }
            Error = $"Invalid parameter type for '{key}', expected: string";
            return null;
        }

        public bool? Bool(string key)
        {
            if (!TryGet(key, out var v))
            {
                return null;
            }
            if (v is QBool b)
            {
                return b.Value;
            }
            Error = $"Invalid parameter type for '{key}', expected: boolean";
            return null;
        }

        /// <summary>An unsigned member: any integer that fits 64 bits, a negative one taken modulo 2^64 as QEMU does
        /// for compatibility; then the member's own range (<c>uint32_t</c>).</summary>
        public ulong? UInt64(string key, string range, ulong max = ulong.MaxValue)
        {
            if (!TryGet(key, out var v))
            {
                return null;
            }
            if (v is not QNumber { Kind: not QNumberKind.Double } n)
            {
                Error = $"Parameter '{key}' expects uint64";
                return null;
            }
            ulong value = n.Kind == QNumberKind.Int64 ? unchecked((ulong)n.Int64) : n.UInt64;
            if (value <= max)
            {
                return value;
            }
            Error = $"Parameter '{key}' expects {range}";
            return null;
        }

        /// <summary>A signed member: an integer that fits int64.</summary>
        public long? Int64(string key)
        {
            if (!TryGet(key, out var v))
            {
                return null;
            }
            if (v is QNumber { Kind: QNumberKind.Int64 } n)
            {
                return n.Int64;
            }
            Error = $"Invalid parameter type for '{key}', expected: integer";
            return null;
        }
    }
}
