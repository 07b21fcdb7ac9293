using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Sim;

namespace Tap.Tests.Pins;

/// <summary>
/// R40/R41 as the simulated kernel saw them: each step of cleanup is a kernel call with its own line in the record,
/// so dropping or reordering one fails here (mutation testing found them unobserved).
/// </summary>
public sealed class BackendCleanupPinsTests
{
    private static (SimKernel Kernel, NetStack Stack, TapBackend Tap) WithVhostAndScripts()
    {
        var k = new SimKernel(5) { VhostPresent = true };
        k.Scripts["/sim/up"] = SimScript.Succeeds;
        k.Scripts["/sim/down"] = SimScript.Succeeds;
        var stack = new NetStack();
        var r = TapInit.Run(stack, k, new NetdevEnvironment(),
            new TapOptions { Id = "t0", Ifname = "tap0", Script = "/sim/up", Downscript = "/sim/down", Vhost = true, PollUs = 7 });
        Assert.Null(r.Error);
        return (k, stack, (TapBackend)Assert.Single(r.Created));
    }

    [Fact(DisplayName = "R40: cleanup tells the kernel, in order: vhost cleanup, close vhost, down script, watch off, close the tap")]
    public void CleanupOrder()
    {
        var (k, stack, tap) = WithVhostAndScripts();
        int vhost = tap.VhostFd!.Value.Number;
        int before = k.Record.Lines.Count;
        stack.DeleteAll();
        var lines = k.Record.Lines.Skip(before).ToList();
        Assert.Equal(new[]
        {
            $"VhostNetCleanup {vhost}",
            $"Close {vhost} -> ok",
            "RunScript \"/sim/down\" \"tap0\" 3 -> exited 0 -",
            "Watch 3 0 0",
            "Close 3 -> ok",
        }, lines);
        Assert.Null(tap.VhostFd);
        Assert.False(tap.IsOpen);
        Assert.False(tap.ReadPoll);
        Assert.False(tap.WritePoll);
    }

    [Fact(DisplayName = "R41/I11: after cleanup a process exit runs no down script; before it, exactly one")]
    public void ExitNotifierRemoved()
    {
        var (k, stack, tap) = WithVhostAndScripts();
        int before = k.Record.Lines.Count;
        stack.RunExitNotifiers();
        Assert.Equal(new[] { "RunScript \"/sim/down\" \"tap0\" 3 -> exited 0 -" }, k.Record.Lines.Skip(before));
        stack.DeleteAll();
        int after = k.Record.Lines.Count;
        stack.RunExitNotifiers();
        Assert.Equal(after, k.Record.Lines.Count);
        Assert.False(tap.IsOpen);
    }
}
