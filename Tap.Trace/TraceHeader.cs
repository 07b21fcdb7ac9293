using System.Text;
using Tap.Core.Init;
using Tap.Core.Os;

namespace Tap.Trace;

/// <summary>One <c>-netdev</c> argument of the recorded command line, as typed.</summary>
public sealed record TraceNetdev(string Option, string Value);

/// <summary>
/// What a trace says about the run it records (docs/trace-format.md §2): who wrote it, on which kernel, how payloads
/// are kept, the seed of a simulated run, the <c>-netdev</c> arguments in command-line order, and the environment the
/// netdevs were built in.
/// </summary>
public sealed record TraceHeader
{
    /// <summary>The one format version this code writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The first line of every trace, before the version number.</summary>
    public const string Magic = "tapnet-trace";

    /// <summary>The tapnet version that recorded the trace.</summary>
    public string TapnetVersion { get; init; } = "";

    /// <summary>The kernel release (<c>uname -r</c>), or <c>sim</c> for the simulated kernel.</summary>
    public string Kernel { get; init; } = "";

    public TracePayloads Payloads { get; init; }

    /// <summary>The seed of a simulated run; none for a real host.</summary>
    public ulong? Seed { get; init; }

    /// <summary>The <c>-netdev</c> arguments; <c>netdev N</c> events name them by index.</summary>
    public IReadOnlyList<TraceNetdev> Netdevs { get; init; } = Array.Empty<TraceNetdev>();

    /// <summary>Default script, down script, helper and bridge, and whether fds came from the monitor.</summary>
    public NetdevEnvironment Environment { get; init; } = new();

    /// <summary>The header as record bodies, in the order they are written.</summary>
    public IEnumerable<string> Bodies()
    {
        yield return new StringBuilder("tapnet").SpStr(TapnetVersion).ToString();
        yield return new StringBuilder("kernel").SpStr(Kernel).ToString();
        yield return "payloads " + (Payloads == TracePayloads.Full ? "full" : "hash");
        if (Seed is { } seed)
        {
            yield return "seed " + seed.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        yield return new StringBuilder("env script").SpStr(Environment.DefaultScript).ToString();
        yield return new StringBuilder("env downscript").SpStr(Environment.DefaultDownScript).ToString();
        yield return new StringBuilder("env helper").SpStr(Environment.DefaultBridgeHelper).ToString();
        yield return new StringBuilder("env bridge").SpStr(Environment.DefaultBridge).ToString();
        yield return "env monitor " + (Environment.FromMonitor ? "1" : "0");
        foreach (var n in Netdevs)
        {
            yield return new StringBuilder("netdev").SpStr(n.Option).SpStr(n.Value).ToString();
        }
    }

    /// <summary>Builds the header from its records.</summary>
    /// <exception cref="TraceFormatException">A field is unknown, repeated, malformed or missing.</exception>
    public static TraceHeader FromRecords(IReadOnlyList<TraceRecord> records, TraceRecord? firstAfter)
    {
        string? tapnet = null, kernel = null;
        TracePayloads? payloads = null;
        ulong? seed = null;
        var env = new NetdevEnvironment();
        var netdevs = new List<TraceNetdev>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in records)
        {
            try
            {
                var t = r.Tokens;
                string key = t[0] == "env" && t.Count > 1 ? "env " + t[1] : t[0];
                if (key != "netdev" && !seen.Add(key))
                {
                    throw TraceFormatException.At(r, $"header field '{key}' appears twice");
                }
                int values = t.Count - (key.StartsWith("env ", StringComparison.Ordinal) ? 2 : 1);
                int wanted = key == "netdev" ? 2 : 1;
                if (values != wanted)
                {
                    throw TraceFormatException.At(r, $"header field '{key}' takes {wanted} value(s), found {values}");
                }
                string last = t[^1];
                switch (key)
                {
                    case "tapnet":
                        tapnet = TraceText.Unquote(last);
                        break;
                    case "kernel":
                        kernel = TraceText.Unquote(last);
                        break;
                    case "payloads":
                        payloads = last switch
                        {
                            "full" => TracePayloads.Full,
                            "hash" => TracePayloads.Hash,
                            _ => throw TraceFormatException.At(r,
                                $"payloads must be 'full' or 'hash', found {TraceText.Shorten(last)}"),
                        };
                        break;
                    case "seed":
                        seed = ulong.TryParse(last, System.Globalization.NumberStyles.None,
                            System.Globalization.CultureInfo.InvariantCulture, out ulong s)
                            ? s
                            : throw TraceFormatException.At(r,
                                $"seed must be an unsigned number, found {TraceText.Shorten(last)}");
                        break;
                    case "env script":
                        env = env with { DefaultScript = TraceText.Unquote(last) };
                        break;
                    case "env downscript":
                        env = env with { DefaultDownScript = TraceText.Unquote(last) };
                        break;
                    case "env helper":
                        env = env with { DefaultBridgeHelper = TraceText.Unquote(last) };
                        break;
                    case "env bridge":
                        env = env with { DefaultBridge = TraceText.Unquote(last) };
                        break;
                    case "env monitor":
                        env = env with { FromMonitor = TraceText.Bool(last) };
                        break;
                    case "netdev":
                        netdevs.Add(new TraceNetdev(TraceText.Unquote(t[1]), TraceText.Unquote(t[2])));
                        break;
                    default:
                        throw TraceFormatException.At(r, $"unknown header field '{key}'");
                }
            }
            catch (FormatException e)
            {
                throw TraceFormatException.At(r, e.Message);
            }
        }

        // Named by line even when nothing follows the header (a recording cut inside it), so the reader can look.
        string where = firstAfter is not null ? $"before line {firstAfter.Line} (record {firstAfter.Seq})"
            : records.Count > 0
                ? $"after line {records[^1].Line} (record {records[^1].Seq}), the last of the header, with no " +
                    "records after it"
            : "after line 1, the version line, with no header records";
        foreach (var (name, value) in new[] { ("tapnet", (object?)tapnet), ("kernel", kernel), ("payloads", payloads) })
        {
            if (value is null)
            {
                throw new TraceFormatException($"the header lacks its '{name}' field ({where})");
            }
        }
        return new TraceHeader
        {
            TapnetVersion = tapnet!,
            Kernel = kernel!,
            Payloads = payloads!.Value,
            Seed = seed,
            Netdevs = netdevs,
            Environment = env,
        };
    }
}
