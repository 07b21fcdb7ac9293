using System.Text;
using System.Text.Json;
using Tap.Core.Options;

namespace Tap.Fuzz.Targets;

/// <summary>
/// Writes typed <c>-netdev</c> options in the JSON form (O12) member by member, so that any accepted argument can be
/// parsed again from JSON: both syntaxes describe the same options.
/// </summary>
internal static class NetdevJsonForm
{
    public static string Of(NetdevOptions options)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", options.Id);
            json.WriteString("type", options.Type);
            switch (options)
            {
                case TapOptions t:
                    Str(json, "ifname", t.Ifname);
                    Str(json, "fd", t.Fd);
                    Str(json, "fds", t.Fds);
                    Str(json, "script", t.Script);
                    Str(json, "downscript", t.Downscript);
                    Str(json, "br", t.Br);
                    Str(json, "helper", t.Helper);
                    Num(json, "sndbuf", t.Sndbuf);
                    Bool(json, "vnet_hdr", t.VnetHdr);
                    Bool(json, "vhost", t.Vhost);
                    Str(json, "vhostfd", t.Vhostfd);
                    Str(json, "vhostfds", t.Vhostfds);
                    Bool(json, "vhostforce", t.Vhostforce);
                    Num(json, "queues", t.Queues);
                    Num(json, "poll-us", t.PollUs);
                    break;
                case BridgeOptions b:
                    Str(json, "br", b.Br);
                    Str(json, "helper", b.Helper);
                    break;
                case HubPortOptions h:
                    json.WriteNumber("hubid", h.HubId);
                    Str(json, "netdev", h.Netdev);
                    break;
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Str(Utf8JsonWriter json, string key, string? value)
    {
        if (value is not null)
        {
            json.WriteString(key, value);
        }
    }

    private static void Num(Utf8JsonWriter json, string key, ulong? value)
    {
        if (value is { } n)
        {
            json.WriteNumber(key, n);
        }
    }

    private static void Bool(Utf8JsonWriter json, string key, bool? value)
    {
        if (value is { } b)
        {
            json.WriteBoolean(key, b);
        }
    }
}
