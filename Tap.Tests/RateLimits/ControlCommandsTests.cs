using Tap.Cli;
using Tap.Core.RateLimit;

namespace Tap.Tests.RateLimits;

/// <summary>
/// <c>--control=PATH</c>'s requests answered whole (docs/rate-limits.md#live-changes): QMP's shapes, each error's
/// class and text, what a query reports, and the boundaries of the numbers a change takes.
/// </summary>
public sealed class ControlCommandsTests
{
    private static (HubRig Rig, ControlCommands Commands) Rig()
    {
        var rig = new HubRig(11);
        rig.Limit("t1", RateDirection.Rx, new RateLimitSettings(new BucketSettings(1000, 200, 10), BucketSettings.Off));
        return (rig, new ControlCommands(rig.Driver));
    }

    private static string GenericError(string desc) => "{\"error\":{\"class\":\"GenericError\",\"desc\":\"" + desc + "\"}}";

    [Theory(DisplayName = "control: a request that is not QMP's shape gets QMP's error")]
    [InlineData("[1]", "JSON parse error, not an object")]
    [InlineData("{}", "Expected 'execute' in QMP input")]
    [InlineData("""{"execute": 1}""", "Expected 'execute' in QMP input")]
    [InlineData("""{"execute": null}""", "Expected 'execute' in QMP input")]
    [InlineData("""{"execute": ["ratelimit-query"]}""", "Expected 'execute' in QMP input")]
    [InlineData("""{"execute": "ratelimit-set"}""", "Parameter 'id' is missing")]
    [InlineData("""{"execute": "ratelimit-set", "arguments": {"id": 5}}""", "Parameter 'id' is missing")]
    [InlineData("""{"execute": "ratelimit-set", "arguments": {"id": "r0", "bandwidth": 5}}""",
        "Parameter 'bandwidth' expects an object")]
    [InlineData("""{"execute": "ratelimit-set", "arguments": {"id": "r0", "ops": []}}""",
        "Parameter 'ops' expects an object")]
    [InlineData("""{"execute": "ratelimit-set", "arguments": {"id": "r0", "ops": {"size": -1}}}""",
        "Parameter 'ops.size' expects a number of at least 0")]
    [InlineData("""{"execute": "ratelimit-set", "arguments": {"id": "r0", "ops": {"size": "5"}}}""",
        "Parameter 'ops.size' expects a number of at least 0")]
    [InlineData("""{"execute": "ratelimit-set", "arguments": {"id": "r0", "bandwidth": {"refill-time": 1.5}}}""",
        "Parameter 'bandwidth.refill-time' expects a number of at least 0")]
    [InlineData("""{"execute": "ratelimit-set", "arguments": {"id": "r0", "bandwidth": {"size": {}}}}""",
        "Parameter 'bandwidth.size' expects a number of at least 0")]
    [InlineData("""{"execute": "ratelimit-set", "arguments": {"id": "r0", "bandwidth": {"Size": 1}}}""",
        "Invalid parameter 'bandwidth.Size'")]
    [InlineData("""{"execute": "ratelimit-set", "arguments": {"id": "r0", "bandwidth": {"refill-time": 4294967296}}}""",
        "Parameter 'bandwidth.refill-time' expects uint32_t")]
    [InlineData("""{"execute": "ratelimit-set", "arguments": {"id": "r0", "ops": {"one-time-burst": 4611686018427387905}}}""",
        "Parameter 'ops.one-time-burst' expects a size up to 4 EiB")]
    public void Refused(string request, string desc)
    {
        var (rig, commands) = Rig();
        Assert.Equal(GenericError(desc), commands.Handle(request));
        Assert.Equal(new BucketSettings(1000, 200, 10), rig.Driver.RateLimits.Find("r0")!.Settings.Bandwidth);
    }

    [Fact(DisplayName = "control: a JSON syntax error says where, in QMP's class")]
    public void ParseError() =>
        Assert.StartsWith("""{"error":{"class":"GenericError","desc":"JSON parse error, """, Rig().Commands.Handle("{\"execute\""));

    [Theory(DisplayName = "control: zero and 4 EiB are numbers a bucket takes; every key of each bucket can change")]
    [InlineData("bandwidth", "size", 0L)]
    [InlineData("bandwidth", "one-time-burst", 4611686018427387904L)]
    [InlineData("ops", "size", 4611686018427387904L)]
    [InlineData("ops", "refill-time", 4294967295L)]
    [InlineData("bandwidth", "refill-time", 0L)]
    public void Accepted(string bucket, string key, long value)
    {
        var (rig, commands) = Rig();
        Assert.Equal("""{"return": {}}""", commands.Handle(
            "{\"execute\": \"ratelimit-set\", \"arguments\": {\"id\": \"r0\", \"" + bucket + "\": {\"" + key + "\": "
            + value.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}}}"));
        var settings = rig.Driver.RateLimits.Find("r0")!.Settings;
        var b = bucket == "bandwidth" ? settings.Bandwidth : settings.Ops;
        Assert.Equal(value, key switch { "size" => b.Size, "one-time-burst" => b.OneTimeBurst, _ => b.RefillTimeMs });
    }

    [Fact(DisplayName = "control: ratelimit-query reports every limiter whole: settings, buckets, counts")]
    public void Query()
    {
        var (_, commands) = Rig();
        Assert.Equal(
            """
            {"return":[{"id":"r0","netdev":"t1","queue":"rx",
            "bandwidth":{"size":1000,"one-time-burst":200,"refill-time":10,"budget":1000,"one-time-burst-left":200},
            "ops":{"size":0,"one-time-burst":0,"refill-time":0,"budget":null,"one-time-burst-left":null},
            "blocked":false,"passed-frames":0,"passed-bytes":0,"throttles":0}]}
            """.ReplaceLineEndings(""),
            commands.Handle("""{"execute": "ratelimit-query"}"""));
    }
}
