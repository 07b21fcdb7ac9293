using Tap.Core.Options;
using Tap.Core.RateLimit;

namespace Tap.Cli;

/// <summary>
/// <c>-object filter-ratelimit,id=ID,netdev=NETDEV[,queue=all|rx|tx][,bandwidth.size=S][,bandwidth.one-time-burst=S]
/// [,bandwidth.refill-time=MS][,ops.size=S][,ops.one-time-burst=S][,ops.refill-time=MS]</c> (docs/rate-limits.md),
/// parsed with QEMU's option rules and messages, as <c>-object filter-dump</c> is.
/// </summary>
public sealed record FilterRateLimitOptions(
    string Id, string Netdev, RateDirection? Direction, RateLimitSettings Settings)
{
    /// <summary>The object type.</summary>
    public const string Type = "filter-ratelimit";

    private static readonly string[] BucketKeys = ["size", "one-time-burst", "refill-time"];

    /// <summary>True when <paramref name="text"/> is a filter-ratelimit object (whatever else is wrong with it).
    /// </summary>
    public static bool Is(string text) =>
        QemuOptsSplitter.Split(text, "qom-type", null).Any(i => i.Key == "qom-type" && i.Value == Type);

    public static (FilterRateLimitOptions? Options, string? Error) Parse(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in QemuOptsSplitter.Split(text, "qom-type", null))
        {
            values[item.Key] = item.Value;
        }
        if (values.GetValueOrDefault("qom-type") != Type)
        {
            return (null, $"Parameter 'qom-type' does not accept value '{values.GetValueOrDefault("qom-type")}'");
        }
        if (QemuOptsSplitter.FindId(text) is not { } id)
        {
            return (null, "Parameter 'id' is missing");
        }
        if (!values.TryGetValue("netdev", out var netdev))
        {
            return (null, "Parameter 'netdev' is missing");
        }
        RateDirection? direction = null;
        if (values.TryGetValue("queue", out var queue))
        {
            switch (queue)
            {
                case "all":
                    break;
                case "rx":
                    direction = RateDirection.Rx;
                    break;
                case "tx":
                    direction = RateDirection.Tx;
                    break;
                default:
                    return (null, $"Parameter 'queue' does not accept value '{queue}'");
            }
        }
        foreach (var key in values.Keys)
        {
            if (key is not ("qom-type" or "id" or "netdev" or "queue") && !IsBucketKey(key))
            {
                return (null, $"Invalid parameter '{key}'");
            }
        }
        var (bandwidth, bError) = Bucket(values, "bandwidth", default);
        if (bError is not null)
        {
            return (null, bError);
        }
        var (ops, oError) = Bucket(values, "ops", default);
        if (oError is not null)
        {
            return (null, oError);
        }
        return (new FilterRateLimitOptions(id, netdev, direction, new RateLimitSettings(bandwidth, ops)), null);
    }

    private static bool IsBucketKey(string key)
    {
        int dot = key.IndexOf('.');
        return dot > 0 && key[..dot] is "bandwidth" or "ops" && BucketKeys.Contains(key[(dot + 1)..]);
    }

    /// <summary>
    /// The bucket <paramref name="prefix"/> from <paramref name="values"/> (keys <c>PREFIX.size</c> and so on);
    /// keys not given keep <paramref name="current"/>'s values.
    /// </summary>
    public static (BucketSettings Bucket, string? Error) Bucket(
        IReadOnlyDictionary<string, string> values, string prefix, BucketSettings current)
    {
        long size = current.Size, burst = current.OneTimeBurst, refill = current.RefillTimeMs;
        if (values.TryGetValue(prefix + ".size", out var s) && Size(prefix + ".size", s, out size) is { } e1)
        {
            return (default, e1);
        }
        if (values.TryGetValue(prefix + ".one-time-burst", out var b)
            && Size(prefix + ".one-time-burst", b, out burst) is { } e2)
        {
            return (default, e2);
        }
        if (values.TryGetValue(prefix + ".refill-time", out var r))
        {
            if (!OptionValues.TryUInt32(prefix + ".refill-time", r, out uint ms, out var e3))
            {
                return (default, e3);
            }
            refill = ms;
        }
        return (new BucketSettings(size, burst, refill), null);
    }

    private static string? Size(string key, string text, out long value)
    {
        value = 0;
        if (!OptionValues.TrySize(key, text, out ulong v, out var error))
        {
            return error;
        }
        if (v > (ulong)BucketSettings.MaxValue)
        {
            return $"Parameter '{key}' expects a size up to 4 EiB";
        }
        value = (long)v;
        return null;
    }
}
