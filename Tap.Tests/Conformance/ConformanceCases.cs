namespace Tap.Tests.Conformance;

/// <summary>What the comparison of one case expects.</summary>
public enum Expect
{
    /// <summary>Same outcome, same message, same TUN ioctls (after the named seed/7.2 normalisation).</summary>
    Same,
    /// <summary>Same outcome and message; the ioctl sequence differs on purpose (the reason says why).</summary>
    SameMessage,
    /// <summary>A deliberate difference: QEMU's outcome is recorded; ours is <see cref="ConformanceCase.OurMessage"/>.</summary>
    Differs,
}

/// <summary>One -netdev command line run by both programs.</summary>
public sealed record ConformanceCase(string Name, string[] Netdevs, Expect Expect, string Reason = "", string? OurMessage = null, bool WithTapFd = false, bool IgnoreFdNumbers = false, string[]? TapnetOptions = null)
{
    public override string ToString() => Name;
}

/// <summary>The cases: every branch of net_init_tap and net_init_bridge, the parser, hubports, and the defects.</summary>
public static class ConformanceCases
{
    private const string B = "tap,id=t0,script=no,downscript=no";
    private const string Helper = "{HELPER}";
    private const string Script = "{SCRIPTS}";

    public static IReadOnlyList<ConformanceCase> All { get; } = new ConformanceCase[]
    {
        // Parsing (O4-O12)
        new("missing id", ["tap"], Expect.Same),
        new("missing type", ["id=t0"], Expect.Same),
        new("unknown type", ["foo,id=t0"], Expect.Same),
        new("escaped type", ["tap,,id=t0"], Expect.Same),
        new("unknown key", [B + ",foo=1"], Expect.Same),
        new("bad bool", [B + ",vnet_hdr=maybe"], Expect.Same),
        new("bad size", [B + ",sndbuf=-1"], Expect.Same),
        new("bad uint", [B + ",queues=-1"], Expect.Same),
        new("uint32 range", [B + ",queues=4294967296"], Expect.Same),
        new("bad id", ["tap,id=0t"], Expect.Same),
        new("case-sensitive key", [B + ",poll_us=1"], Expect.Same),
        new("member before unknown", ["tap,id=t0,zzz=1,vnet_hdr=bad"], Expect.Same),
        new("hubid missing", ["hubport,id=h0"], Expect.Same),
        new("hubid syntax", ["hubport,id=h0,hubid=x"], Expect.Same),
        new("duplicate id", [B, B], Expect.Same),
        // The JSON form (O12): QEMU's lexer, parser and visitor messages
        new("JSON uint as string", ["{\"type\":\"tap\",\"id\":\"t0\",\"queues\":\"2\"}"], Expect.Same),
        new("JSON uint32 negative", ["{\"type\":\"tap\",\"id\":\"t0\",\"queues\":-1}"], Expect.Same),
        new("JSON bool as string", ["{\"type\":\"tap\",\"id\":\"t0\",\"vhost\":\"on\"}"], Expect.Same),
        new("JSON premature end", ["{\"type\":\"tap\",\"id\":\"t0\""], Expect.Same),
        new("JSON trailing garbage", ["{\"type\":\"tap\",\"id\":\"t0\"}x"], Expect.Same),
        new("JSON trailing comma", ["{\"type\":\"tap\",\"id\":\"t0\",}"], Expect.Same),
        new("JSON bad keyword", ["{\"type\":tap}"], Expect.Same),
        new("JSON stray number", ["{\"type\":\"tap\",\"id\":\"t0\",\"queues\":01}"], Expect.Same),
        new("JSON duplicate key", ["{\"type\":\"tap\",\"id\":\"t0\",\"queues\":1,\"queues\":2}"], Expect.Same),
        new("JSON single quotes", ["{'type':'tap','id':'t0','script':'no','downscript':'no'}"], Expect.Same),
        new("JSON id not an identifier", ["{\"type\":\"tap\",\"id\":\"0t\",\"script\":\"no\",\"downscript\":\"no\"}"], Expect.Differs,
            "O12: QEMU 7.2 checks ids only in the key=value form; we check both",
            "Parameter 'id' expects an identifier"),
        // Branch conflicts and fd strings (O31-O33)
        new("fd with ifname", ["tap,id=t0,fd=3,ifname=x"], Expect.Same),
        new("fds with vhostfd", ["tap,id=t0,fds=3:4,vhostfd=5"], Expect.Same),
        new("helper with queues", ["tap,id=t0,helper=/x,queues=2"], Expect.Same),
        new("vhostfds without fds", [B + ",vhostfds=3"], Expect.Same),
        new("fd not a number", ["tap,id=t0,fd=abc"], Expect.Same),
        new("fd negative", ["tap,id=t0,fd=-1"], Expect.Same),
        new("fd closed", ["tap,id=t0,fd=99"], Expect.Same),
        new("fd not a tap", ["tap,id=t0,fd=0"], Expect.Same),
        new("fds count mismatch", ["tap,id=t0,fds=3:4,vhostfds=7"], Expect.Same),
        new("fds empty item", ["tap,id=t0,fds=:3"], Expect.Same),
        // Opening (O37) and scripts (S5)
        new("default", [B], Expect.Same),
        new("vnet_hdr off", [B + ",vnet_hdr=off"], Expect.Same),
        new("vnet_hdr on", [B + ",vnet_hdr=on"], Expect.Same),
        new("sndbuf 1k", [B + ",sndbuf=1k"], Expect.Same),
        new("sndbuf 1.5k", [B + ",sndbuf=1.5k"], Expect.Same),
        new("named template", [B + ",ifname=cf%d"], Expect.Same),
        new("ifname lo", [B + ",ifname=lo"], Expect.Same),
        new("ifname with blank", [B + ",ifname=a b"], Expect.Same),
        new("script missing", ["tap,id=t0,script=/nonexistent,downscript=no"], Expect.Same),
        new("script exit 3", [$"tap,id=t0,script={Script}/exit3.sh,downscript=no"], Expect.Same),
        new("script ok", [$"tap,id=t0,script={Script}/ok.sh,downscript={Script}/ok.sh"], Expect.Same),
        new("inherited tap fd", ["tap,id=t0,fd=3"], Expect.Same, WithTapFd: true),
        new("vhostforce without /dev/vhost-net", [B + ",vhostforce=on"], Expect.Same),
        new("hubport on a tap", [B, "hubport,id=h0,hubid=0,netdev=t0"], Expect.Same),
        new("two taps on a hub, --offload=off", [B, "tap,id=t1,script=no,downscript=no", "hubport,id=h0,hubid=0,netdev=t0", "hubport,id=h1,hubid=0,netdev=t1"], Expect.Same,
            TapnetOptions: ["--offload=off"]),
        new("two taps on a hub", [B, "tap,id=t1,script=no,downscript=no", "hubport,id=h0,hubid=0,netdev=t0", "hubport,id=h1,hubid=0,netdev=t1"], Expect.SameMessage,
            "GSO on hubs (docs/differences.md#gso-hubs): a hub of vnet taps gets GSO end to end (TUNSETVNETHDRSZ and TUNSETOFFLOAD 0x7f after set-up); --offload=off gives QEMU's sequence"),
        new("hubport to nothing", ["hubport,id=h0,hubid=0,netdev=nope"], Expect.Same),
        new("bridge without ACL", ["bridge,id=b0,br=cfbr0"], Expect.Same),
        new("helper exits 1", [$"tap,id=t0,helper={Helper} exit1"], Expect.Same),
        new("helper sends /dev/null", [$"tap,id=t0,helper={Helper} send-null"], Expect.SameMessage,
            "the received fd's number differs: the .NET runtime holds more fds than QEMU", IgnoreFdNumbers: true),
        new("helper sends a tap", [$"tap,id=t0,helper={Helper} send-tap"], Expect.SameMessage, "the tap is opened by the helper, not by the program under trace"),
        // Deliberate differences
        new("vhostfd with vhost=off", [B + ",vhost=off,vhostfd=5"], Expect.SameMessage,
            "checked before anything opens: QEMU opens a tap and sets it up first"),
        new("queues=2", [B + ",queues=2"], Expect.SameMessage,
            "D-23: we attach every queue before the setup script; QEMU asks TUNGETIFF for the name between queues"),
        new("queues=0", [B + ",queues=0"], Expect.Differs, "X4: QEMU creates nothing and aborts", "Parameter 'queues' expects a value between 1 and 256"),
        new("fds empty", ["tap,id=t0,fds="], Expect.Differs, "X4: QEMU creates nothing and aborts", "Parameter 'fds' expects at least one file descriptor"),
        new("vhost=on without /dev/vhost-net", [B + ",vhost=on"], Expect.Differs, "X7/O40: 7.2 warns, then aborts; the seed and we report the error",
            "tap: open vhost char device failed: No such file or directory"),
        new("ifname too long", [B + ",ifname=averyveryverylongname"], Expect.Differs, "D-20: QEMU and the kernel truncate to 15 bytes",
            "Parameter 'ifname' expects an interface name of at most 15 bytes"),
        new("helper sends nothing", [$"tap,id=t0,helper={Helper} eof"], Expect.Differs, "D-8: QEMU takes end of stream as fd 0",
            "bridge helper did not send a file descriptor"),
        new("bridge name with a slash", ["bridge,id=b0,br=a/b"], Expect.Differs, "D-19: QEMU passes any name to the helper",
            "Parameter 'br' expects a bridge name of 1 to 15 bytes without '/', ':', whitespace or control characters"),
        new("hubport to a port of the same hub", ["hubport,id=h0,hubid=0", "hubport,id=h1,hubid=0,netdev=h0"], Expect.Differs,
            "O52: QEMU recurses until it crashes", "netdev 'h0' is a port of hub 0 itself"),
    };
}
