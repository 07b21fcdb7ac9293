using Tap.Cli;
using Tap.Core.RateLimit;

namespace Tap.Tests.RateLimits;

/// <summary>The command line's <c>-object filter-ratelimit</c> through <see cref="NetdevRunner"/>, on the simulator.</summary>
public sealed class RateLimitRunnerTests
{
    private static (NetdevRunner Runner, Tap.Core.Net.NetStack Stack) Built()
    {
        var kernel = new Tap.Sim.SimKernel(11);
        var stack = new Tap.Core.Net.NetStack();
        var runner = new NetdevRunner(stack, kernel, new Tap.Core.Init.NetdevEnvironment(), new Tap.Sim.SimRunLoop(kernel));
        var status = runner.Build("tapnet",
            [new("-netdev", "tap,id=t0,script=no,downscript=no"), new("-netdev", "hubport,id=h0,hubid=0,netdev=t0")],
            TextWriter.Null, TextWriter.Null);
        Assert.Equal(Tap.Core.Frontend.NetdevBuildStatus.Built, status);
        return (runner, stack);
    }

    [Theory(DisplayName = "Rate limits: tapnet's -object filter-ratelimit errors, with the option as QEMU prints it")]
    [InlineData("filter-ratelimit,id=r0,netdev=t0,queue=up",
        "tapnet: -object filter-ratelimit,id=r0,netdev=t0,queue=up: Parameter 'queue' does not accept value 'up'")]
    [InlineData("filter-ratelimit,id=r0,netdev=t9", "tapnet: Parameter 'netdev' expects a network backend id")]
    public void Errors(string value, string message)
    {
        var (runner, _) = Built();
        var stderr = new StringWriter();
        Assert.Equal(1, runner.AttachCaptures("tapnet", [new("-object", value)], stderr));
        Assert.Equal(message, stderr.ToString().TrimEnd());
    }

    [Fact(DisplayName = "Rate limits: -object filter-ratelimit with queue=all puts a limiter on each direction of the netdev")]
    public void Adds()
    {
        var (runner, stack) = Built();
        Assert.Equal(0, runner.AttachCaptures("tapnet",
            [new("-object", "filter-ratelimit,id=r0,netdev=t0,ops.size=100,ops.refill-time=1000")], TextWriter.Null));
        var t0 = stack.Find("t0")!;
        Assert.Equal(("r0", RateDirection.Rx), (t0.RxLimit!.Id, t0.RxLimit.Direction));
        Assert.Equal(("r0", RateDirection.Tx), (t0.TxLimit!.Id, t0.TxLimit.Direction));
        Assert.Equal(new BucketSettings(100, 0, 1000), t0.TxLimit.Settings.Ops);
        Assert.Null(stack.Find("h0")!.RxLimit);
    }
}
