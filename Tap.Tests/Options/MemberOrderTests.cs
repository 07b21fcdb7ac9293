using Tap.Core.Options;

namespace Tap.Tests.Options;

/// <summary>
/// O8: members are checked in QEMU's declaration order whatever order they are given in, in both syntaxes. The
/// order is written out here from docs/options.md, not read from the option tables under test.
/// </summary>
public sealed class MemberOrderTests
{
    /// <summary>The tap members that can hold a bad key=value, in declaration order, each with a bad value and its
    /// message (O10).</summary>
    private static readonly (string Key, string Bad, string Message)[] TapKeyValue =
    {
        ("sndbuf", "x", "Parameter 'sndbuf' expects a size value"),
        ("vnet_hdr", "x", "Parameter 'vnet_hdr' expects 'on' or 'off'"),
        ("vhost", "x", "Parameter 'vhost' expects 'on' or 'off'"),
        ("vhostforce", "x", "Parameter 'vhostforce' expects 'on' or 'off'"),
        ("queues", "x", "Parameter 'queues' expects a uint64 value"),
        ("poll-us", "x", "Parameter 'poll-us' expects a uint64 value"),
    };

    /// <summary>Every tap member in declaration order: in JSON each of them can be of the wrong type (O12).</summary>
    private static readonly (string Key, string Message)[] TapJson =
    {
        ("ifname", "Invalid parameter type for 'ifname', expected: string"),
        ("fd", "Invalid parameter type for 'fd', expected: string"),
        ("fds", "Invalid parameter type for 'fds', expected: string"),
        ("script", "Invalid parameter type for 'script', expected: string"),
        ("downscript", "Invalid parameter type for 'downscript', expected: string"),
        ("br", "Invalid parameter type for 'br', expected: string"),
        ("helper", "Invalid parameter type for 'helper', expected: string"),
        ("sndbuf", "Parameter 'sndbuf' expects uint64"),
        ("vnet_hdr", "Invalid parameter type for 'vnet_hdr', expected: boolean"),
        ("vhost", "Invalid parameter type for 'vhost', expected: boolean"),
        ("vhostfd", "Invalid parameter type for 'vhostfd', expected: string"),
        ("vhostfds", "Invalid parameter type for 'vhostfds', expected: string"),
        ("vhostforce", "Invalid parameter type for 'vhostforce', expected: boolean"),
        ("queues", "Parameter 'queues' expects uint64"),
        ("poll-us", "Parameter 'poll-us' expects uint64"),
    };

    [Fact(DisplayName = "O8: of two bad tap members given in reverse order, the one declared first is reported")]
    public void KeyValuePairs()
    {
        for (int a = 0; a < TapKeyValue.Length; a++)
        {
            for (int b = a + 1; b < TapKeyValue.Length; b++)
            {
                var (first, later) = (TapKeyValue[a], TapKeyValue[b]);
                string arg = $"tap,id=t0,zz=1,{later.Key}={later.Bad},{first.Key}={first.Bad}";
                Assert.Equal(first.Message, NetdevParser.Parse(arg).Error);
            }
        }
    }

    [Fact(DisplayName = "O8/O12: of two mistyped JSON tap members in reverse order, the first declared is reported")]
    public void JsonPairs()
    {
        for (int a = 0; a < TapJson.Length; a++)
        {
            for (int b = a + 1; b < TapJson.Length; b++)
            {
                var (first, later) = (TapJson[a], TapJson[b]);
                string json = $"{{\"zz\":1,\"{later.Key}\":[],\"{first.Key}\":[],"
                    + "\"id\":\"t0\",\"type\":\"tap\"}";
                Assert.Equal(first.Message, NetdevParser.Parse(json).Error);
            }
        }
    }

    [Fact(DisplayName = "O8: a missing hubid comes before a bad netdev and unknown keys, in both syntaxes")]
    public void RequiredHubId()
    {
        Assert.Equal("Parameter 'hubid' is missing", NetdevParser.Parse("hubport,id=h0,zz=1,netdev=x").Error);
        Assert.Equal("Parameter 'hubid' is missing",
            NetdevParser.Parse("{\"type\":\"hubport\",\"id\":\"h0\",\"zz\":1,\"netdev\":5}").Error);
        Assert.Equal("Invalid parameter type for 'br', expected: string",
            NetdevParser.Parse("{\"type\":\"bridge\",\"id\":\"b0\",\"helper\":5,\"br\":5}").Error);
    }

    [Fact(DisplayName = "O12: every member of every type, given in JSON, fills the same field as in key=value")]
    public void JsonFillsTheSameFields()
    {
        const string tapJson = "{\"type\":\"tap\",\"id\":\"t0\",\"ifname\":\"x\",\"fd\":\"3\",\"fds\":\"3:4\","
            + "\"script\":\"s\",\"downscript\":\"d\",\"br\":\"b\",\"helper\":\"h\",\"sndbuf\":1024,"
            + "\"vnet_hdr\":true,\"vhost\":true,"
            + "\"vhostfd\":\"5\",\"vhostfds\":\"5:6\",\"vhostforce\":true,\"queues\":2,\"poll-us\":7}";
        const string tapKeyValue = "tap,id=t0,ifname=x,fd=3,fds=3:4,script=s,downscript=d,br=b,helper=h,sndbuf=1k,"
            + "vnet_hdr=on,vhost=on,vhostfd=5,vhostfds=5:6,vhostforce=on,queues=2,poll-us=7";
        Assert.Equal(NetdevParser.Parse(tapKeyValue).Options, NetdevParser.Parse(tapJson).Options);
        var tap = Assert.IsType<TapOptions>(NetdevParser.Parse(tapJson).Options);
        Assert.Equal((1024UL, 2u, 7u, "h"), (tap.Sndbuf, tap.Queues, tap.PollUs, tap.Helper));
        Assert.Equal(NetdevParser.Parse("bridge,id=b0,br=specbr0,helper=/x").Options,
            NetdevParser.Parse("{\"type\":\"bridge\",\"id\":\"b0\",\"br\":\"specbr0\",\"helper\":\"/x\"}").Options);
        Assert.Equal(new HubPortOptions { Id = "h0", HubId = -1, Netdev = "t0" },
            NetdevParser.Parse("{\"type\":\"hubport\",\"id\":\"h0\",\"hubid\":-1,\"netdev\":\"t0\"}").Options);
    }
}
