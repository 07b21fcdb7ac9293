using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Sim;

namespace Tap.Tests.Sim;

/// <summary>
/// <see cref="SimKernel.Dispatch"/> (one fd serviced in the order a test picks, as the main loop would) and the
/// programs the simulated kernel runs: scripts and qemu-bridge-helper.
/// </summary>
public sealed class SimDispatchProgramsPinsTests
{
    [Fact(DisplayName = "R3: Dispatch of a fd number nobody watches calls nothing, whatever the number")]
    public void DispatchOfUnwatchedNumbers()
    {
        var k = new SimKernel(1);
        for (int n = -3; n <= 300; n++)
        {
            Assert.Equal(0, k.Dispatch(new Fd(n)));
        }
        Assert.Equal(0, k.Dispatches);
    }

    [Fact(DisplayName = "R3: Dispatch serves fd 0 like any other: stdin is always readable and writable")]
    public void DispatchOfFdZero()
    {
        var k = new SimKernel(1);
        var counter = new CountingHandler();
        k.Watch(new Fd(0), counter, readable: true, writable: true);
        Assert.Equal(2, k.Dispatch(new Fd(0)));
        Assert.Equal((1, 1), (counter.Readable, counter.Writable));
    }

    [Fact(DisplayName = "R3: Dispatch counts its handler calls and records them as the main loop does")]
    public void DispatchCountsAndRecords()
    {
        var k = new SimKernel(1);
        var counter = new CountingHandler();
        var fd = k.AddOtherFd("/dev/null");
        k.Watch(fd, counter, readable: true, writable: true);
        int before = k.Record.Lines.Count;
        Assert.Equal(2, k.Dispatch(fd));
        Assert.Equal(new[] { "dispatch readable 3", "dispatch writable 3" }, k.Record.Lines.Skip(before));
        Assert.Equal(2, k.Dispatches);
        k.Watch(fd, counter, readable: true, writable: false);
        Assert.Equal(1, k.Dispatch(fd));
        Assert.Equal(3, k.Dispatches);

        // The main loop writes the same lines for the same calls.
        var loop = new SimKernel(1);
        var fd2 = loop.AddOtherFd("/dev/null");
        loop.Watch(fd2, new CountingHandler(), readable: true, writable: true);
        int start = loop.Record.Lines.Count;
        loop.RunOnce();
        Assert.Equal(new[] { "dispatch readable 3", "dispatch writable 3" }, loop.Record.Lines.Skip(start));

        var quiet = new SimKernel(1) { RecordDataPath = false };
        var fd3 = quiet.AddOtherFd("/dev/null");
        quiet.Watch(fd3, new CountingHandler(), readable: true, writable: true);
        int lines = quiet.Record.Lines.Count;
        Assert.Equal(2, quiet.Dispatch(fd3));
        Assert.Equal(lines, quiet.Record.Lines.Count);
    }

    [Fact(DisplayName = "S3: a script sees fds 0-2 and the fd kept open, once; a fd that is not open is not passed")]
    public void ScriptChildFds()
    {
        var k = new SimKernel(1);
        k.Scripts["/up"] = SimScript.Succeeds;
        Assert.True(k.RunScript("/up", "tap0", new Fd(2)).Succeeded);
        Assert.Equal(new[] { 0, 1, 2 }, k.ScriptRuns[^1].ChildFds);
        Assert.True(k.RunScript("/up", "tap0", new Fd(0)).Succeeded);
        Assert.Equal(new[] { 0, 1, 2 }, k.ScriptRuns[^1].ChildFds);
        Assert.True(k.RunScript("/up", "tap0", new Fd(9)).Succeeded);
        Assert.Equal(new[] { 0, 1, 2 }, k.ScriptRuns[^1].ChildFds);
        var other = k.AddOtherFd("x");
        Assert.True(k.RunScript("/up", "tap0", other).Succeeded);
        Assert.Equal(new[] { 0, 1, 2, 3 }, k.ScriptRuns[^1].ChildFds);
    }

    [Theory(DisplayName = "B5: the helper's tap is a tap (IFF_TAP), up, with VNET_HDR only when the helper gives it")]
    [InlineData(true)]
    [InlineData(false)]
    public void HelperTap(bool vnet)
    {
        var k = new SimKernel(1);
        k.Helpers["/h"] = new SimHelper(vnet ? SimHelperSends.TapFd : SimHelperSends.TapFdWithoutVnetHdr,
            ChildOutcome.Exit(0));
        var outcome = k.RunBridgeHelper(new HelperLaunch("/h", new[] { "--use-vnet" }, new[] { "--br=br0" }));
        Assert.Equal(HelperReceive.Fd, outcome.Receive);
        var info = k.TunGetIff(outcome.ReceivedFd).Value;
        Assert.Equal("tap0", info.Name);
        Assert.Equal(TunFlags.Tap, info.Flags & (TunFlags.Tap | TunFlags.Tun));
        Assert.Equal(vnet, (info.Flags & TunFlags.VnetHdr) != 0);
        Assert.True(k.Device("tap0")!.Up);
        // Up, so a frame written to it is taken (a down link is EIO).
        var frame = new byte[(vnet ? 12 : 0) + 60];
        Assert.Equal(frame.Length, k.Write(outcome.ReceivedFd, frame, default).Value);
    }
}
