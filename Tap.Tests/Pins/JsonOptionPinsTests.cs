using Tap.Core.Options;

namespace Tap.Tests.Pins;

/// <summary>JSON -netdev numbers at the edges of their C types (QEMU's qobject input visitor).</summary>
public sealed class JsonOptionPinsTests
{
    [Fact(DisplayName = "JSON sndbuf: a plain integer reaches the options as that size")]
    public void SndbufInteger()
    {
        var r = JsonNetdevParser.Parse("""{"type":"tap","id":"t0","sndbuf":5}""");
        Assert.Null(r.Error);
        Assert.Equal(5UL, ((TapOptions)r.Options!).Sndbuf);
    }

    [Fact(DisplayName = "JSON poll-us: 4294967295 is the largest uint32_t accepted; 4294967296 expects uint32_t")]
    public void PollUsEdge()
    {
        var ok = JsonNetdevParser.Parse("""{"type":"tap","id":"t0","poll-us":4294967295}""");
        Assert.Null(ok.Error);
        Assert.Equal(4294967295u, ((TapOptions)ok.Options!).PollUs);
        var bad = JsonNetdevParser.Parse("""{"type":"tap","id":"t0","poll-us":4294967296}""");
        Assert.Equal("Parameter 'poll-us' expects uint32_t", bad.Error);
    }

    [Fact(DisplayName = "JSON hubid: -2147483648 is accepted; -2147483649 expects int32_t")]
    public void HubIdEdge()
    {
        var ok = JsonNetdevParser.Parse("""{"type":"hubport","id":"h0","hubid":-2147483648}""");
        Assert.Null(ok.Error);
        Assert.Equal(-2147483648, ((HubPortOptions)ok.Options!).HubId);
        var bad = JsonNetdevParser.Parse("""{"type":"hubport","id":"h0","hubid":-2147483649}""");
        Assert.Equal("Parameter 'hubid' expects int32_t", bad.Error);
    }
}
