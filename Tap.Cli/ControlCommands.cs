using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tap.Core.Frontend;
using Tap.Core.RateLimit;

namespace Tap.Cli;

/// <summary>
/// The requests of <c>--control=PATH</c> (docs/rate-limits.md#live-changes): one JSON object a line, in QMP's shape
/// (<c>{"execute": NAME, "arguments": {...}}</c>, answered by <c>{"return": ...}</c> or
/// <c>{"error": {"class": ..., "desc": ...}}</c>). Runs on the loop's thread; every change goes through the
/// <see cref="CoreDriver"/>, so a trace records it and a replay repeats it.
/// </summary>
public sealed class ControlCommands(CoreDriver driver)
{
    // Messages quote names with ': written as they are, as QMP does, not as \u0027.
    private static readonly JsonSerializerOptions Plain =
        new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Answers one request line.</summary>
    public string Handle(string line)
    {
        JsonObject request;
        try
        {
            request = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException e)
        {
            return Error("GenericError", $"JSON parse error, {e.Message}");
        }
        if (request["execute"] is not JsonValue execute || !execute.TryGetValue(out string? command))
        {
            return Error("GenericError", "Expected 'execute' in QMP input");
        }
        var arguments = request["arguments"] as JsonObject ?? new JsonObject();
        return command switch
        {
            "ratelimit-set" => Set(arguments),
            "ratelimit-query" => Query(),
            _ => Error("CommandNotFound", $"The command {command} has not been found"),
        };
    }

    private string Set(JsonObject arguments)
    {
        if (arguments["id"] is not JsonValue idValue || !idValue.TryGetValue(out string? id))
        {
            return Error("GenericError", "Parameter 'id' is missing");
        }
        var limiter = driver.RateLimits.Find(id);
        if (limiter is null)
        {
            return Error("GenericError", $"no rate limit '{id}'");
        }
        var (bandwidth, e1) = Bucket(arguments, "bandwidth", limiter.Settings.Bandwidth);
        if (e1 is not null)
        {
            return Error("GenericError", e1);
        }
        var (ops, e2) = Bucket(arguments, "ops", limiter.Settings.Ops);
        if (e2 is not null)
        {
            return Error("GenericError", e2);
        }
        string? error = driver.SetRateLimit(id, new RateLimitSettings(bandwidth, ops));
        return error is null ? """{"return": {}}""" : Error("GenericError", error);
    }

    /// <summary>A bucket object's members as the -object keys they mirror, parsed by the same rules.</summary>
    private static (BucketSettings Bucket, string? Error) Bucket(
        JsonObject arguments, string name, BucketSettings current)
    {
        if (arguments[name] is null)
        {
            return (current, null);
        }
        if (arguments[name] is not JsonObject bucket)
        {
            return (current, $"Parameter '{name}' expects an object");
        }
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in bucket)
        {
            if (key is not ("size" or "one-time-burst" or "refill-time"))
            {
                return (current, $"Invalid parameter '{name}.{key}'");
            }
            if (value is not JsonValue v || !v.TryGetValue(out long number) || number < 0)
            {
                return (current, $"Parameter '{name}.{key}' expects a number of at least 0");
            }
            values[name + "." + key] = number.ToString(CultureInfo.InvariantCulture);
        }
        return FilterRateLimitOptions.Bucket(values, name, current);
    }

    private string Query()
    {
        var list = new JsonArray();
        foreach (var l in driver.RateLimits.Limiters)
        {
            list.Add((JsonNode)new JsonObject
            {
                ["id"] = l.Id,
                ["netdev"] = l.Netdev,
                ["queue"] = RateLimits.Word(l.Direction),
                ["bandwidth"] = Describe(l.Settings.Bandwidth, l.Bandwidth),
                ["ops"] = Describe(l.Settings.Ops, l.Ops),
                ["blocked"] = l.Blocked,
                ["passed-frames"] = l.PassedFrames,
                ["passed-bytes"] = l.PassedBytes,
                ["throttles"] = l.Throttles,
            });
        }
        return new JsonObject { ["return"] = list }.ToJsonString(Plain);
    }

    private static JsonObject Describe(BucketSettings settings, TokenBucket? bucket) => new()
    {
        ["size"] = settings.Size,
        ["one-time-burst"] = settings.OneTimeBurst,
        ["refill-time"] = settings.RefillTimeMs,
        ["budget"] = bucket?.Budget,
        ["one-time-burst-left"] = bucket?.OneTimeBurst,
    };

    private static string Error(string errorClass, string desc) =>
        new JsonObject { ["error"] = new JsonObject { ["class"] = errorClass, ["desc"] = desc } }.ToJsonString(Plain);
}
