using System.Text;
using FsCheck.Fluent;
using Tap.Core.Options;
using Tap.Sim;
using Tap.Tests.Properties;

namespace Tap.Tests.Sockets;

/// <summary>
/// ST3 property: any combination of stream and dgram options, written in the key=value form and in the JSON form
/// (in a random member order), parses to the same options, which are the ones written.
/// </summary>
public sealed class SocketOptionFormsProperties
{
    private static string? Maybe(SimRandom r, string value) => r.Chance(new Ratio(1, 2)) ? value : null;

    private static SocketAddressOptions Address(SimRandom r) => r.Next(4) switch
    {
        0 => new InetAddressOptions(r.Chance(new Ratio(1, 4)) ? "" : "169.254." + r.Next(256) + "." + r.Next(256),
            r.Next(65536).ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            To = r.Chance(new Ratio(1, 3)) ? (ushort)r.Next(65536) : null,
            Ipv4 = r.Chance(new Ratio(1, 3)) ? r.Chance(new Ratio(1, 2)) : null,
            Ipv6 = r.Chance(new Ratio(1, 3)) ? r.Chance(new Ratio(1, 2)) : null,
            KeepAlive = r.Chance(new Ratio(1, 3)) ? r.Chance(new Ratio(1, 2)) : null,
            Numeric = r.Chance(new Ratio(1, 3)) ? r.Chance(new Ratio(1, 2)) : null,
        },
        1 => new UnixAddressOptions("/tmp/p" + r.Next(1000) + (r.Chance(new Ratio(1, 4)) ? ",x" : ""))
        {
            Abstract = r.Chance(new Ratio(1, 3)) ? r.Chance(new Ratio(1, 2)) : null,
            Tight = r.Chance(new Ratio(1, 3)) ? r.Chance(new Ratio(1, 2)) : null,
        },
        2 => new FdAddressOptions(r.Next(100).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        _ => new VsockAddressOptions(r.Next(10).ToString(System.Globalization.CultureInfo.InvariantCulture),
            r.Next(10).ToString(System.Globalization.CultureInfo.InvariantCulture)),
    };

    private static List<(string Key, object Value)> Members(SocketAddressOptions a) => a switch
    {
        InetAddressOptions i => Present(("type", "inet"), ("host", i.Host), ("port", i.Port), ("numeric", i.Numeric),
            ("to", i.To), ("ipv4", i.Ipv4), ("ipv6", i.Ipv6), ("keep-alive", i.KeepAlive)),
        UnixAddressOptions u => Present(("type", "unix"), ("path", u.Path), ("abstract", u.Abstract),
            ("tight", u.Tight)),
        FdAddressOptions f => Present(("type", "fd"), ("str", f.Str)),
        VsockAddressOptions v => Present(("type", "vsock"), ("cid", v.Cid), ("port", v.Port)),
        _ => throw new ArgumentException("address"),
    };

    private static List<(string, object)> Present(params (string Key, object? Value)[] items) =>
        items.Where(i => i.Value is not null).Select(i => (i.Key, i.Value!)).ToList();

    private static string Kv(object v) => v switch
    {
        bool b => b ? "on" : "off",
        string s => s.Replace(",", ",,"),
        _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!,
    };

    private static string Json(object v) => v switch
    {
        bool b => b ? "true" : "false",
        string s => "\"" + s + "\"",
        _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!,
    };

    [Fact(DisplayName = "ST3 property: key=value and JSON forms of any stream/dgram options parse to those options")]
    public void Both_forms_agree()
    {
        PropertyRun.Check(nameof(Both_forms_agree), ArbMap.Default.ArbFor<ulong>(), 300, seed =>
        {
            var r = new SimRandom(seed);
            NetdevOptions expected;
            var top = new List<(string Key, object Value)>();
            var nested = new List<(string Prefix, SocketAddressOptions Address)>();
            if (r.Chance(new Ratio(1, 2)))
            {
                var addr = Address(r);
                bool? server = r.Chance(new Ratio(1, 2)) ? r.Chance(new Ratio(1, 2)) : null;
                uint? reconnect = r.Chance(new Ratio(1, 3)) ? (uint)r.Next(100) : null;
                uint? reconnectMs = r.Chance(new Ratio(1, 3)) ? (uint)r.Next(100000) : null;
                expected = new StreamOptions
                {
                    Id = "s" + r.Next(100), Addr = addr, Server = server, Reconnect = reconnect,
                    ReconnectMs = reconnectMs,
                };
                nested.Add(("addr", addr));
                top.AddRange(Present(("server", server), ("reconnect", reconnect), ("reconnect-ms", reconnectMs)));
            }
            else
            {
                var local = r.Chance(new Ratio(3, 4)) ? Address(r) : null;
                var remote = r.Chance(new Ratio(3, 4)) ? Address(r) : null;
                expected = new DgramOptions { Id = "d" + r.Next(100), Local = local, Remote = remote };
                if (local is not null)
                {
                    nested.Add(("local", local));
                }
                if (remote is not null)
                {
                    nested.Add(("remote", remote));
                }
            }

            var kvItems = new List<string> { "id=" + expected.Id };
            kvItems.AddRange(top.Select(m => $"{m.Key}={Kv(m.Value)}"));
            foreach (var (prefix, a) in nested)
            {
                kvItems.AddRange(Members(a).Select(m => $"{prefix}.{m.Key}={Kv(m.Value)}"));
            }
            var shuffled = kvItems.ToList();
            r.Shuffle(shuffled);
            string kv = expected.Type + "," + string.Join(",", shuffled);

            var json = new StringBuilder($"{{\"id\":\"{expected.Id}\",\"type\":\"{expected.Type}\"");
            foreach (var (key, value) in top)
            {
                json.Append($",\"{key}\":{Json(value)}");
            }
            foreach (var (prefix, a) in nested)
            {
                var members = Members(a).Select(m => $"\"{m.Key}\":{Json(m.Value)}");
                json.Append($",\"{prefix}\":{{").Append(string.Join(",", members)).Append('}');
            }
            json.Append('}');

            var fromKv = NetdevParser.Parse(kv);
            var fromJson = NetdevParser.Parse(json.ToString());
            if (!Equals(fromKv.Options, expected) || !Equals(fromJson.Options, expected))
            {
                throw new Xunit.Sdk.XunitException($"{kv}\n  -> {fromKv.Options?.ToString() ?? fromKv.Error}\n"
                    + $"{json}\n  -> {fromJson.Options?.ToString() ?? fromJson.Error}\nexpected {expected}");
            }
            return true;
        });
    }
}
