using System.Text.Json.Nodes;
using Tap.Cli;
using Tap.Core.RateLimit;

namespace Tap.Tests.RateLimits;

/// <summary>The <c>-object filter-ratelimit</c> syntax and the control socket's requests.</summary>
public sealed class RateLimitOptionsTests
{
    [Fact(DisplayName = "Rate limits: -object filter-ratelimit keys, sizes with suffixes, queue defaulting to all")]
    public void Parses()
    {
        var (o, error) = FilterRateLimitOptions.Parse(
            "filter-ratelimit,id=r0,netdev=t0,queue=rx,bandwidth.size=1M,bandwidth.one-time-burst=64k,"
            + "bandwidth.refill-time=100,ops.size=1000,ops.refill-time=1000");
        Assert.Null(error);
        Assert.Equal(("r0", "t0", (RateDirection?)RateDirection.Rx), (o!.Id, o.Netdev, o.Direction));
        Assert.Equal(new BucketSettings(1048576, 65536, 100), o.Settings.Bandwidth);
        Assert.Equal(new BucketSettings(1000, 0, 1000), o.Settings.Ops);
        var (edge, edgeError) = FilterRateLimitOptions.Parse("filter-ratelimit,id=r2,netdev=t0,bandwidth.size=4E");
        Assert.Null(edgeError);
        Assert.Equal(4611686018427387904, edge!.Settings.Bandwidth.Size);
        var (all, _) = FilterRateLimitOptions.Parse("filter-ratelimit,id=r1,netdev=t1");
        Assert.Null(all!.Direction);
        Assert.True(all.Settings.Bandwidth.IsOff && all.Settings.Ops.IsOff);
        Assert.True(FilterRateLimitOptions.Is("filter-ratelimit,id=x"));
        Assert.False(FilterRateLimitOptions.Is("filter-dump,id=x,netdev=t0,file=f"));
    }

    [Theory(DisplayName = "Rate limits: parse errors name the culprit in QEMU's words")]
    [InlineData("filter-ratelimit,netdev=t0", "Parameter 'id' is missing")]
    [InlineData("filter-ratelimit,id=r0", "Parameter 'netdev' is missing")]
    [InlineData("filter-ratelimit,id=r0,netdev=t0,queue=both", "Parameter 'queue' does not accept value 'both'")]
    [InlineData("filter-ratelimit,id=r0,netdev=t0,direction=rx", "Invalid parameter 'direction'")]
    [InlineData("filter-ratelimit,id=r0,netdev=t0,bandwidth.rate=5", "Invalid parameter 'bandwidth.rate'")]
    [InlineData("filter-ratelimit,id=r0,netdev=t0,bandwidth.size=lots", "Parameter 'bandwidth.size' expects a size value")]
    [InlineData("filter-ratelimit,id=r0,netdev=t0,ops.refill-time=-1", "Parameter 'ops.refill-time' expects a uint64 value")]
    [InlineData("filter-ratelimit,id=r0,netdev=t0,ops.refill-time=5000000000", "Parameter 'ops.refill-time' expects uint32_t")]
    [InlineData("filter-ratelimit,id=r0,netdev=t0,ops.one-time-burst=8E", "Parameter 'ops.one-time-burst' expects a size up to 4 EiB")]
    [InlineData("filter-ratelimit,id=r0,netdev=t0,bandwidth.size=4611686018427387905", "Parameter 'bandwidth.size' expects a size up to 4 EiB")]
    [InlineData("filter-ratelimit,id=r0,netdev=t0,size=1", "Invalid parameter 'size'")]
    [InlineData("filter-ratelimit,id=r0,netdev=t0,.size=1", "Invalid parameter '.size'")]
    [InlineData("filter-ratelimit,id=r0,netdev=t0,ops.=1", "Invalid parameter 'ops.'")]
    [InlineData("filter-dump,id=r0,netdev=t0", "Parameter 'qom-type' does not accept value 'filter-dump'")]
    [InlineData("id=r0,netdev=t0", "Parameter 'qom-type' does not accept value ''")]
    public void Errors(string text, string message) => Assert.Equal(message, FilterRateLimitOptions.Parse(text).Error);

    [Fact(DisplayName = "Rate limits: the control socket's ratelimit-set changes only the fields given; query shows the state")]
    public void Control()
    {
        var rig = new HubRig(9);
        rig.Limit("t1", RateDirection.Rx, new RateLimitSettings(new BucketSettings(1000, 0, 10), BucketSettings.Off));
        var commands = new ControlCommands(rig.Driver);
        Assert.Equal("""{"return": {}}""", commands.Handle(
            """{"execute": "ratelimit-set", "arguments": {"id": "r0", "bandwidth": {"size": 500}, "ops": {"size": 7, "refill-time": 3}}}"""));
        var limiter = rig.Driver.RateLimits.Find("r0")!;
        Assert.Equal(new BucketSettings(500, 0, 10), limiter.Settings.Bandwidth);
        Assert.Equal(new BucketSettings(7, 0, 3), limiter.Settings.Ops);
        var query = JsonNode.Parse(commands.Handle("""{"execute":"ratelimit-query"}"""))!["return"]![0]!;
        Assert.Equal("t1", (string)query["netdev"]!);
        Assert.Equal("rx", (string)query["queue"]!);
        Assert.Equal(500, (long)query["bandwidth"]!["budget"]!);
        Assert.Equal(
            """{"error":{"class":"GenericError","desc":"no rate limit 'r9'"}}""",
            commands.Handle("""{"execute":"ratelimit-set","arguments":{"id":"r9"}}"""));
        Assert.Equal(
            """{"error":{"class":"GenericError","desc":"Invalid parameter 'ops.rate'"}}""",
            commands.Handle("""{"execute":"ratelimit-set","arguments":{"id":"r0","ops":{"rate":1}}}"""));
        Assert.Equal(
            """{"error":{"class":"CommandNotFound","desc":"The command quit has not been found"}}""",
            commands.Handle("""{"execute":"quit"}"""));
        Assert.StartsWith("""{"error":{"class":"GenericError","desc":"JSON parse error""", commands.Handle("{"));
    }
}
