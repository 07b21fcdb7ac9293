using FsCheck;
using FsCheck.Fluent;
using Tap.Core.Options;
using Tap.Core.Os;

namespace Tap.Tests.Options;

public sealed class NetdevParserTests
{
    private const string B = "tap,id=t0,script=no,downscript=no";

    private static TapOptions Tap(string arg)
    {
        var r = NetdevParser.Parse(arg);
        Assert.Null(r.Error);
        return Assert.IsType<TapOptions>(r.Options);
    }

    private static string? Error(string arg) => NetdevParser.Parse(arg).Error;

    [Theory(DisplayName = "O6/O9, netdev-options §8: id and type errors, in QEMU's order")]
    [InlineData("tap", "Parameter 'id' is missing")]
    [InlineData("foo=1", "Parameter 'id' is missing")]
    [InlineData("id=t0", "Parameter 'type' is missing")]
    [InlineData("foo,id=t0", "Parameter 'type' does not accept value 'foo'")]
    [InlineData("user,id=t0", "Parameter 'type' does not accept value 'user'")]
    [InlineData("nic,id=t0", "network backend 'nic' is not compiled into this binary")]
    [InlineData("tap,,id=t0", "Parameter 'type' does not accept value 'tap,id=t0'")]
    [InlineData("id=t0,tap", "Parameter 'type' is missing")]
    [InlineData("tap,id=t0,help", "Invalid parameter 'help'")]
    [InlineData("tap,id=", "Parameter 'id' expects an identifier\nIdentifiers consist of letters, digits, '-', '.', '_', starting with a letter.")]
    [InlineData("tap,id=0t", "Parameter 'id' expects an identifier\nIdentifiers consist of letters, digits, '-', '.', '_', starting with a letter.")]
    [InlineData(B + ",foo=1", "Invalid parameter 'foo'")]
    [InlineData(B + ",poll_us=1", "Invalid parameter 'poll_us'")]
    [InlineData(B + ",zzz=1,vnet_hdr=bad", "Parameter 'vnet_hdr' expects 'on' or 'off'")]
    [InlineData(B + ",vnet_hdr=maybe", "Parameter 'vnet_hdr' expects 'on' or 'off'")]
    [InlineData(B + ",vnet_hdr=ON", "Parameter 'vnet_hdr' expects 'on' or 'off'")]
    [InlineData(B + ",vnet_hdr=1", "Parameter 'vnet_hdr' expects 'on' or 'off'")]
    [InlineData(B + ",vnet_hdr=", "Parameter 'vnet_hdr' expects 'on' or 'off'")]
    [InlineData(B + ",sndbuf=-1", "Parameter 'sndbuf' expects a size value")]
    [InlineData(B + ",sndbuf=1x", "Parameter 'sndbuf' expects a size value")]
    [InlineData(B + ",sndbuf=1e3", "Parameter 'sndbuf' expects a size value")]
    [InlineData(B + ",sndbuf=16E", "Parameter 'sndbuf' expects a size value")]
    [InlineData(B + ",sndbuf=1.5", "Parameter 'sndbuf' expects a size value")]
    [InlineData(B + ",queues=-1", "Parameter 'queues' expects a uint64 value")]
    [InlineData(B + ",queues=1k", "Parameter 'queues' expects a uint64 value")]
    [InlineData(B + ",queues=08", "Parameter 'queues' expects a uint64 value")]
    [InlineData(B + ",queues=4294967296", "Parameter 'queues' expects uint32_t")]
    [InlineData(B + ",poll-us=x", "Parameter 'poll-us' expects a uint64 value")]
    [InlineData("hubport,id=h0", "Parameter 'hubid' is missing")]
    [InlineData("hubport,id=h0,hubid=x", "Parameter 'hubid' expects an int64 value")]
    [InlineData("hubport,id=h0,hubid=4294967296", "Parameter 'hubid' expects int32_t")]
    [InlineData("bridge,id=b0,queues=2", "Invalid parameter 'queues'")]
    public void Errors(string arg, string message) => Assert.Equal(message, Error(arg));

    [Theory(DisplayName = "O10: uint32 values: base prefixes, blanks, plus sign")]
    [InlineData("0x2", 2u)]
    [InlineData("010", 8u)]
    [InlineData(" 2", 2u)]
    [InlineData("+2", 2u)]
    [InlineData("4294967295", uint.MaxValue)]
    public void Queues(string text, uint expected) => Assert.Equal(expected, Tap($"{B},queues={text}").Queues);

    [Theory(DisplayName = "O10/O35: size values as QEMU reads them")]
    [InlineData("1k", 1024UL)]
    [InlineData("1.5k", 1536UL)]
    [InlineData("0x10", 16UL)]
    [InlineData("3G", 3UL << 30)]
    [InlineData("2147483648", 2147483648UL)]
    [InlineData("0", 0UL)]
    [InlineData("1B", 1UL)]
    [InlineData(" 4M", 4UL << 20)]
    [InlineData("0.5K", 512UL)]
    public void Sizes(string text, ulong expected) => Assert.Equal(expected, Tap($"{B},sndbuf={text}").Sndbuf);

    [Fact(DisplayName = "O10: a suffix on hex is accepted with QEMU's deprecation warning")]
    public void HexSuffixWarns()
    {
        var r = NetdevParser.Parse(B + ",sndbuf=0x10k");
        Assert.Equal(16UL * 1024, Assert.IsType<TapOptions>(r.Options).Sndbuf);
        Assert.Contains(r.Warnings, w => w.Message == "Using a multiplier suffix on hex numbers is deprecated: 0x10k");
    }

    [Theory(DisplayName = "O10: every bool spelling")]
    [InlineData("on", true)]
    [InlineData("yes", true)]
    [InlineData("true", true)]
    [InlineData("y", true)]
    [InlineData("off", false)]
    [InlineData("no", false)]
    [InlineData("false", false)]
    [InlineData("n", false)]
    public void Bools(string text, bool expected) => Assert.Equal(expected, Tap($"{B},vhost={text}").Vhost);

    [Fact(DisplayName = "O4: ',,' is a literal comma; '=' may appear in a value; one trailing comma is ignored")]
    public void Escaping()
    {
        Assert.Equal("a,b", Tap("tap,id=t0,ifname=a,,b").Ifname);
        Assert.Equal("no,downscript=no", Tap("tap,id=t0,script=no,,downscript=no").Script);
        Assert.Null(Tap("tap,id=t0,script=no,,downscript=no").Downscript);
        Assert.Equal("a=b", Tap("tap,id=t0,ifname=a=b").Ifname);
        Assert.Equal("x", Tap("tap,id=t0,ifname=x,").Ifname);
        Assert.Equal("", Tap("tap,id=t0,ifname=").Ifname);
    }

    [Fact(DisplayName = "O6/O7: the first id wins; for every other key the last one wins")]
    public void Duplicates()
    {
        var t = Tap("tap,id=t0,ifname=a,id=t9,ifname=b,vhost=on,vhost=off");
        Assert.Equal("t0", t.Id);
        Assert.Equal("b", t.Ifname);
        Assert.False(t.Vhost);
        Assert.IsType<BridgeOptions>(NetdevParser.Parse("type=tap,type=bridge,id=b0").Options);
    }

    [Fact(DisplayName = "O5: a bare later item is a flag (no-prefix = off) with QEMU's two deprecation lines")]
    public void Flags()
    {
        var r = NetdevParser.Parse(B + ",vnet_hdr,novhost");
        var t = Assert.IsType<TapOptions>(r.Options);
        Assert.True(t.VnetHdr);
        Assert.False(t.Vhost);
        Assert.Equal(new[]
        {
            new Diagnostic(DiagnosticKind.Warning, "short-form boolean option 'vnet_hdr' deprecated"),
            new Diagnostic(DiagnosticKind.Raw, "Please use vnet_hdr=on instead"),
            new Diagnostic(DiagnosticKind.Warning, "short-form boolean option 'novhost' deprecated"),
            new Diagnostic(DiagnosticKind.Raw, "Please use vhost=off instead"),
        }, r.Warnings);
    }

    [Fact(DisplayName = "O9: -netdev help lists the backend types")]
    public void Help()
    {
        var r = NetdevParser.Parse("help");
        Assert.StartsWith("Available netdev backend types:\n", r.HelpText);
        Assert.Contains("tap\n", r.HelpText);
        Assert.Null(r.Options);
    }

    [Fact(DisplayName = "O3 tables: every tap and bridge member parses into its field")]
    public void AllMembers()
    {
        var t = Tap("tap,id=t0,ifname=x,fd=3,fds=3:4,script=s,downscript=d,br=b,helper=h,sndbuf=1k,vnet_hdr=on,vhost=on,vhostfd=5,vhostfds=5:6,vhostforce=on,queues=2,poll-us=7");
        Assert.Equal(("x", "3", "3:4", "s", "d", "b", "h"), (t.Ifname, t.Fd, t.Fds, t.Script, t.Downscript, t.Br, t.Helper));
        Assert.Equal((1024UL, true, true, "5", "5:6", true, 2u, 7u), (t.Sndbuf!.Value, t.VnetHdr!.Value, t.Vhost!.Value, t.Vhostfd, t.Vhostfds, t.Vhostforce!.Value, t.Queues!.Value, t.PollUs!.Value));
        var b = Assert.IsType<BridgeOptions>(NetdevParser.Parse("bridge,id=b0,br=specbr0,helper=/x").Options);
        Assert.Equal(("b0", "specbr0", "/x"), (b.Id, b.Br, b.Helper));
        var h = Assert.IsType<HubPortOptions>(NetdevParser.Parse("hubport,id=h0,hubid=-1,netdev=t0").Options);
        Assert.Equal((-1, "t0"), (h.HubId, h.Netdev));
    }

    [Theory(DisplayName = "O12: JSON form with strict types")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"vnet_hdr\":\"on\"}", "Invalid parameter type for 'vnet_hdr', expected: boolean")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":\"2\"}", "Parameter 'queues' expects uint64")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"ifname\":3}", "Invalid parameter type for 'ifname', expected: string")]
    [InlineData("{\"type\":\"tap\"}", "Parameter 'id' is missing")]
    [InlineData("{\"id\":\"t0\"}", "Parameter 'type' is missing")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"bogus\":1}", "Parameter 'bogus' is unexpected")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"queues\":4294967296}", "Parameter 'queues' expects uint32_t")]
    [InlineData("{\"type\":\"hubport\",\"id\":\"h0\"}", "Parameter 'hubid' is missing")]
    public void JsonErrors(string json, string message) => Assert.Equal(message, Error(json));

    [Theory(DisplayName = "O12: a JSON string escape that is half a surrogate pair is refused with QEMU 7.2's message (fuzz finding)")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"ifname\":\"a\\ud800\"}", "JSON parse error, \\ud800 is not a valid Unicode character")]
    [InlineData("{\"id\":\"\\udc00\",\"type\":\"tap\"}", "JSON parse error, \\udc00 is not a valid Unicode character")]
    [InlineData("{\"type\":\"tap\",\"\\ud83d\":1}", "JSON parse error, \\ud83d is not a valid Unicode character")]
    [InlineData("{\"type\":\"tap\",\"id\":\"t0\",\"ifname\":\"\\ud83d\\u0041\"}", "JSON parse error, \\ud83d is not a valid Unicode character")]
    public void JsonLoneSurrogates(string json, string message) => Assert.Equal(message, Error(json));

    [Fact(DisplayName = "O12: a surrogate pair written as two escapes is one character")]
    public void JsonSurrogatePair() =>
        Assert.Equal("x\U0001F600", Assert.IsType<TapOptions>(NetdevParser.Parse("{\"type\":\"tap\",\"id\":\"t0\",\"ifname\":\"x\\ud83d\\ude00\"}").Options).Ifname);

    [Fact(DisplayName = "O12: a string that is not Unicode itself (a lone surrogate char) is a JSON parse error, not an exception")]
    public void JsonLoneSurrogateChar() => Assert.StartsWith("JSON parse error, ", Error("{\"type\":\"tap\",\"id\":\"t\ud800\"}"));

    [Fact(DisplayName = "O12: a valid JSON netdev gives the same options as the traditional form")]
    public void JsonOk()
    {
        var r = NetdevParser.Parse("{\"type\":\"tap\",\"id\":\"t0\",\"script\":\"no\",\"vnet_hdr\":false,\"queues\":2,\"sndbuf\":1024}");
        Assert.Equal(Tap("tap,id=t0,script=no,vnet_hdr=off,queues=2,sndbuf=1k"), r.Options);
        Assert.IsType<HubPortOptions>(NetdevParser.Parse("{\"type\":\"hubport\",\"id\":\"h0\",\"hubid\":1}").Options);
        Assert.StartsWith("JSON parse error", Error("{nope"));
    }

    [Fact(DisplayName = "O4 property: any value survives ',,' escaping")]
    public void EscapingRoundTrip()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<NonNull<string>>(), v =>
        {
            string value = v.Get.Replace("\0", "");
            var r = NetdevParser.Parse("tap,id=t0,ifname=" + value.Replace(",", ",,"));
            return r.Options is TapOptions t && t.Ifname == value;
        }).QuickCheckThrowOnFailure();
    }
}
