using System.Text.Json;
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
        var none = Array.Empty<Diagnostic>();
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            return new NetdevParseResult(null, $"JSON parse error, {e.Message}", none);
        }
        catch (ArgumentException)
        {
            // The text itself holds half a surrogate pair: it cannot become UTF-8 for the reader. A command line
            // never does (it is decoded from bytes), but the API takes any string.
            return new NetdevParseResult(null, $"JSON parse error, the text {NotUnicode}", none);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new NetdevParseResult(null, "Invalid parameter type, expected: object", none);
            }
            var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var p in root.EnumerateObject())
            {
                if (!TryText(() => p.Name, out string? name))
                {
                    return Fail($"JSON parse error, the member {Shorten(p.ToString())} has a name that {NotUnicode}");
                }
                fields[name] = p.Value;
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
            foreach (var key in fields.Keys)
            {
                if (key is not "id" and not "type" && Array.IndexOf(members, key) < 0)
                {
                    return Fail($"Parameter '{key}' is unexpected");
                }
            }
            return new NetdevParseResult(options, null, none);
        }

        static NetdevParseResult Fail(string message) => new(null, message, Array.Empty<Diagnostic>());
    }

    /// <summary>
    /// Why a string the JSON reader accepted cannot become text: JSON allows any <c>\uXXXX</c> escape, so a lone
    /// half of a surrogate pair passes <see cref="JsonDocument.Parse(string, JsonDocumentOptions)"/>, but no string
    /// can hold it (QEMU's parser refuses it as "not a valid Unicode character" too).
    /// </summary>
    private const string NotUnicode = "is not valid Unicode: it holds an unpaired UTF-16 surrogate";

    /// <summary>Reads a JSON string; false when it holds an unpaired surrogate escape, which System.Text.Json
    /// reports only by throwing <see cref="InvalidOperationException"/> when the string is read.</summary>
    private static bool TryText(Func<string?> read, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? text)
    {
        try
        {
            text = read();
            return text is not null;
        }
        catch (InvalidOperationException)
        {
            text = null;
            return false;
        }
    }

    /// <summary>Raw JSON for a message, cut to a readable length.</summary>
    private static string Shorten(string raw)
    {
        const int MaxShownChars = 60;
        return raw.Length <= MaxShownChars ? raw : raw[..MaxShownChars] + "...";
    }

    private sealed class Reader(Dictionary<string, JsonElement> fields)
    {
        public string? Error { get; private set; }

        private bool TryGet(string key, out JsonElement value) => fields.TryGetValue(key, out value) && Error is null;

        public string? Str(string key)
        {
            if (!TryGet(key, out var v))
            {
                return null;
            }
            if (v.ValueKind == JsonValueKind.String)
            {
                if (TryText(v.GetString, out string? text))
                {
                    return text;
                }
                Error = $"JSON parse error, the value {Shorten(v.GetRawText())} of '{key}' {NotUnicode}";
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
            if (v.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                return v.GetBoolean();
            }
            Error = $"Invalid parameter type for '{key}', expected: boolean";
            return null;
        }

        public ulong? UInt64(string key, string range, ulong max = ulong.MaxValue)
        {
            if (!TryGet(key, out var v))
            {
                return null;
            }
            if (v.ValueKind == JsonValueKind.Number && v.TryGetUInt64(out ulong n))
            {
                if (n <= max)
                {
                    return n;
                }
                Error = $"Parameter '{key}' expects {range}";
                return null;
            }
            Error = $"Invalid parameter type for '{key}', expected: integer";
            return null;
        }

        public long? Int64(string key)
        {
            if (!TryGet(key, out var v))
            {
                return null;
            }
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n))
            {
                return n;
            }
            Error = $"Invalid parameter type for '{key}', expected: integer";
            return null;
        }
    }
}
