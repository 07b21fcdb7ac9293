using Tap.Core.Backend;
using Tap.Core.Frontend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Sim;

namespace Tap.Tests.Core;

/// <summary>
/// The one flow from command line to netdevs (O3, O6, R41, Q26), as every front end runs it: checked here on the
/// simulated kernel, where the mutation run sees it (the Cli tests run the same flow through <c>tapnet</c>).
/// </summary>
public sealed class NetdevBuildTests
{
    private static (SimKernel Kernel, NetStack Stack, CoreDriver Driver) LinuxHost()
    {
        var k = new SimKernel(11);
        k.Scripts["/sim/down"] = SimScript.Succeeds;
        k.Scripts["/sim/fail"] = SimScript.Exits(1);
        var stack = new NetStack();
        return (k, stack, new CoreDriver(stack, k, new NetdevEnvironment()));
    }

    private static List<NetdevArgument> Args(params string[] values) => values.Select(v => new NetdevArgument("-netdev", v)).ToList();

    [Fact(DisplayName = "O3: JSON arguments are built before key=value ones, each kind in command-line order")]
    public void JsonFirst()
    {
        var (_, stack, driver) = LinuxHost();
        var r = NetdevBuild.Run(driver, "tapnet", Args(
            "tap,id=a,ifname=ta,script=no,downscript=no",
            "{\"type\":\"tap\",\"id\":\"b\",\"ifname\":\"tb\",\"script\":\"no\",\"downscript\":\"no\"}",
            "tap,id=c,ifname=tc,script=no,downscript=no",
            "{\"type\":\"tap\",\"id\":\"d\",\"ifname\":\"td\",\"script\":\"no\",\"downscript\":\"no\"}"));

        Assert.Equal(NetdevBuildStatus.Built, r.Status);
        Assert.Equal(new[] { "b", "d", "a", "c" }, stack.Clients.Select(c => c.Name));
    }

    [Fact(DisplayName = "O6: a duplicate id is refused before any backend exists, naming the argument")]
    public void DuplicateIdBeforeAnything()
    {
        var (k, stack, driver) = LinuxHost();
        var r = NetdevBuild.Run(driver, "tapnet", Args(
            "tap,id=a,ifname=ta,script=no,downscript=no",
            "tap,id=a,ifname=tb,script=no,downscript=no"));

        Assert.Equal(NetdevBuildStatus.Failed, r.Status);
        Assert.Equal(new[] { "tapnet: -netdev tap,id=a,ifname=tb,script=no,downscript=no: Duplicate ID 'a' for netdev" }, r.Messages);
        Assert.Empty(stack.Clients);
        Assert.Null(k.Device("ta"));
    }

    [Fact(DisplayName = "O3: a later argument that does not parse stops the build before the first netdev is made")]
    public void ParseErrorBeforeAnything()
    {
        var (k, stack, driver) = LinuxHost();
        var r = NetdevBuild.Run(driver, "tapnet", Args("tap,id=a,ifname=ta,script=no,downscript=no", "tap,id=b,sndbuf=x"));

        Assert.Equal(NetdevBuildStatus.Failed, r.Status);
        Assert.Equal(new[] { "tapnet: -netdev tap,id=b,sndbuf=x: Parameter 'sndbuf' expects a size value" }, r.Messages);
        Assert.Empty(stack.Clients);
        Assert.Null(k.Device("ta"));
    }

    [Fact(DisplayName = "R41: a netdev that cannot be made stops the build; the down scripts of those made run once")]
    public void InitFailureRunsExitNotifiers()
    {
        var (k, stack, driver) = LinuxHost();
        var r = NetdevBuild.Run(driver, "tapnet", Args(
            "tap,id=a,ifname=ta,script=no,downscript=/sim/down",
            "tap,id=b,ifname=tb,script=/sim/fail,downscript=no"));

        Assert.Equal(NetdevBuildStatus.Failed, r.Status);
        Assert.Equal(new[] { "tapnet: -netdev tap,id=b,ifname=tb,script=/sim/fail,downscript=no: network script /sim/fail failed with status 256 (exit code 1)" }, r.Messages);
        Assert.Single(k.Record.Lines, l => l.StartsWith("RunScript \"/sim/down\" \"ta\"", StringComparison.Ordinal));
        Assert.True(((TapBackend)stack.Find("a")!).IsOpen);
    }

    [Fact(DisplayName = "O2: help is the output; nothing is built and nothing is printed to stderr")]
    public void Help()
    {
        var (_, stack, driver) = LinuxHost();
        var r = NetdevBuild.Run(driver, "tapnet", Args("tap,id=a,ifname=ta,script=no,downscript=no", "help"));

        Assert.Equal(NetdevBuildStatus.Help, r.Status);
        Assert.Equal("Available netdev backend types:\ntap\nbridge\nhubport\nstream\ndgram\n", r.Help);
        Assert.Empty(r.Messages);
        Assert.Empty(stack.Clients);
    }

    [Fact(DisplayName = "Q26: after a complete build, a client without a peer is warned about, with the program's name")]
    public void PeerlessWarnings()
    {
        var (_, _, driver) = LinuxHost();
        var r = NetdevBuild.Run(driver, "prog", Args("tap,id=a,ifname=ta,script=no,downscript=no"));

        Assert.Equal(NetdevBuildStatus.Built, r.Status);
        Assert.Equal(new[] { "prog: warning: netdev a has no peer" }, r.Messages);
    }

    [Fact(DisplayName = "O5: a parser warning names its argument and comes first; QEMU's raw follow-up line stays bare")]
    public void ParserWarningsNameTheArgument()
    {
        var (_, _, driver) = LinuxHost();
        var r = NetdevBuild.Run(driver, "tapnet", Args("tap,id=a,ifname=ta,script=no,downscript=no,vnet_hdr"));

        Assert.Equal(NetdevBuildStatus.Built, r.Status);
        Assert.Equal(new[]
        {
            "tapnet: -netdev tap,id=a,ifname=ta,script=no,downscript=no,vnet_hdr: warning: short-form boolean option 'vnet_hdr' deprecated",
            "Please use vnet_hdr=on instead",
            "tapnet: warning: netdev a has no peer",
        }, r.Messages);
    }
}
