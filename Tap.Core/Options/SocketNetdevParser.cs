using Tap.Core.Options.Json;
using Tap.Core.Os;

namespace Tap.Core.Options;

/// <summary>
/// <c>-netdev stream</c> and <c>-netdev dgram</c>, which QEMU reads with its "modern" parser (ST3): keyval for the
/// key=value form, the JSON visitor for JSON, both into QAPI's <c>Netdev</c>, members in schema order (id, type,
/// then the branch), a member nobody read reported last as unexpected. Unlike the QemuOpts form of tap, the id is
/// not checked to be an identifier.
/// </summary>
public static class SocketNetdevParser
{
    /// <summary>The types this parser reads, as <c>-netdev help</c> lists them.</summary>
    public static readonly IReadOnlyList<string> Types = ["stream", "dgram"];

    /// <summary>QEMU's <c>netdev_is_modern</c> for the types this build has: type stream or dgram.</summary>
    public static bool Handles(string argument)
    {
        if (argument.StartsWith('{'))
        {
            var (value, _) = QemuJson.Parse(argument);
            return value is QDict d && d.Members.Any(m => m.Key == "type" && m.Value is QString
            {
                Value: "stream" or "dgram",
            });
        }
        string? type = null;
        foreach (var item in QemuOptsSplitter.Split(argument, "type", null))
        {
            if (item.Key == "type")
            {
                type = item.Value;
            }
        }
        return type is "stream" or "dgram";
    }

    /// <summary>Parses one argument that <see cref="Handles"/> accepted.</summary>
    public static NetdevParseResult Parse(string argument)
    {
        QDict? root;
        bool keyval = !argument.StartsWith('{');
        if (keyval)
        {
            (root, string? error) = KeyvalParser.Parse(argument, "type");
            if (error is not null)
            {
                return Fail(error);
            }
        }
        else
        {
            var (value, error) = QemuJson.Parse(argument);
            if (error is not null)
            {
                return Fail(error);
            }
            root = value as QDict;
            if (root is null)
            {
                return Fail("Parameter 'id' is missing");
            }
        }

        var r = QapiReader.Root(root!, keyval);
        string? id = r.Str("id", required: true);
        string? type = r.Enum("type", true, "stream", "dgram");
        NetdevOptions? options = type switch
        {
            "stream" => ReadStream(r, id!),
            "dgram" => ReadDgram(r, id!),
            _ => null,
        };
        r.End();
        return r.Error is { } e ? Fail(e) : new NetdevParseResult(options, null, Array.Empty<Diagnostic>());
    }

    private static StreamOptions? ReadStream(QapiReader r, string id)
    {
        var addr = ReadAddress(r, "addr", required: true);
        bool? server = r.Bool("server");
        uint? reconnect = (uint?)r.UInt("reconnect", uint.MaxValue, "uint32_t");
        uint? reconnectMs = (uint?)r.UInt("reconnect-ms", uint.MaxValue, "uint32_t");
        return addr is null ? null : new StreamOptions
        {
            Id = id,
            Addr = addr,
            Server = server,
            Reconnect = reconnect,
            ReconnectMs = reconnectMs,
        };
    }

    private static DgramOptions ReadDgram(QapiReader r, string id) => new()
    {
        Id = id,
        Local = ReadAddress(r, "local", required: false),
        Remote = ReadAddress(r, "remote", required: false),
    };

    /// <summary>QAPI <c>SocketAddress</c>: the discriminator, then the branch's members in schema order.</summary>
    private static SocketAddressOptions? ReadAddress(QapiReader parent, string name, bool required)
    {
        var r = parent.Struct(name, required);
        if (r is null)
        {
            return null;
        }
        SocketAddressOptions? result = null;
        switch (r.Enum("type", true, "inet", "unix", "vsock", "fd"))
        {
            case "inet":
                string? host = r.Str("host", true);
                string? port = r.Str("port", true);
                result = new InetAddressOptions(host ?? "", port ?? "")
                {
                    Numeric = r.Bool("numeric"),
                    To = (ushort?)r.UInt("to", ushort.MaxValue, "uint16_t"),
                    Ipv4 = r.Bool("ipv4"),
                    Ipv6 = r.Bool("ipv6"),
                    KeepAlive = r.Bool("keep-alive"),
                    KeepAliveCount = (uint?)r.UInt("keep-alive-count", uint.MaxValue, "uint32_t"),
                    KeepAliveIdle = (uint?)r.UInt("keep-alive-idle", uint.MaxValue, "uint32_t"),
                    KeepAliveInterval = (uint?)r.UInt("keep-alive-interval", uint.MaxValue, "uint32_t"),
                    Mptcp = r.Bool("mptcp"),
                };
                break;
            case "unix":
                string? path = r.Str("path", true);
                result = new UnixAddressOptions(path ?? "") { Abstract = r.Bool("abstract"), Tight = r.Bool("tight") };
                break;
            case "vsock":
                string? cid = r.Str("cid", true);
                string? vport = r.Str("port", true);
                result = new VsockAddressOptions(cid ?? "", vport ?? "");
                break;
            case "fd":
                result = new FdAddressOptions(r.Str("str", true) ?? "");
                break;
        }
        r.End();
        return r.Error is null ? result : null;
    }

    private static NetdevParseResult Fail(string message) => new(null, message, Array.Empty<Diagnostic>());
}
