using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Frontend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.RateLimit;
using Tap.Sim;
using Tap.Tests.RateLimits;

namespace Tap.Tests.Pins;

/// <summary>
/// What each front-end operation of <see cref="CoreDriver"/> does to the simulated kernel (R25, R30, R32), what it
/// returns and what it tells its listener, and what its shutdown closes.
/// </summary>
public sealed class CoreDriverPinsTests
{
    private static (SimKernel Kernel, CoreDriver Driver, TapBackend Tap) OneTap(Tap.Core.Os.IOsNet? os = null,
        SimKernel? kernel = null)
    {
        var k = kernel ?? new SimKernel(21) { VnetBeSupported = true };
        var driver = new CoreDriver(new NetStack(), os ?? k, new NetdevEnvironment());
        var created = driver.CreateNetdev(0,
            NetdevParser.Parse("tap,id=t0,ifname=tap0,script=no,downscript=no").Options!);
        Assert.True(created.Ok, created.Error);
        return (k, driver, (TapBackend)driver.Stack.Clients.Single());
    }

    [Fact(DisplayName = "R25: poll-off takes both watches off the tap fd, poll-on puts both back; each returns 0")]
    public void PollOffAndOn()
    {
        var (k, driver, tap) = OneTap();
        Assert.Equal((true, false), k.InterestOf(tap.Fd));
        Assert.Equal(0, driver.Control(tap, QueueControl.PollOff));
        Assert.Equal((false, false), k.InterestOf(tap.Fd));
        Assert.Equal((false, false), (tap.ReadPoll, tap.WritePoll));
        Assert.Equal(0, driver.Control(tap, QueueControl.PollOn));
        Assert.Equal((true, true), k.InterestOf(tap.Fd));
        Assert.Equal((true, true), (tap.ReadPoll, tap.WritePoll));
    }

    [Fact(DisplayName = "R30: vnet-hdr-len 12 reaches TUNSETVNETHDRSZ and returns 0; a refused one returns -1 "
        + "with QEMU's message")]
    public void VnetHdrLen()
    {
        var k = new SimKernel(22);
        var os = new FaultyOs(k);
        var (_, driver, tap) = OneTap(os, k);
        Assert.Equal(0, driver.Control(tap, QueueControl.VnetHdrLen, 12));
        Assert.Equal(12, k.Device("tap0")!.VnetHdrSize);
        Assert.Empty(k.Reports);

        os.Fail(nameof(os.TunSetVnetHdrSize), Errno.EINVAL);
        Assert.Equal(-1, driver.Control(tap, QueueControl.VnetHdrLen, 20));
        Assert.Equal(12, k.Device("tap0")!.VnetHdrSize);
        Assert.Equal("TUNSETVNETHDRSZ ioctl() failed: Invalid argument.", Assert.Single(k.Reports).Message);
    }

    [Fact(DisplayName = "R32: vnet-le and vnet-be with argument 1 set the flag in the kernel, with 0 clear it")]
    public void EndianArguments()
    {
        var (k, driver, tap) = OneTap();
        var device = k.Device("tap0")!;
        Assert.Equal(0, driver.Control(tap, QueueControl.VnetLe, 1));
        Assert.True(device.VnetLe);
        Assert.Equal(0, driver.Control(tap, QueueControl.VnetLe, 0));
        Assert.False(device.VnetLe);
        Assert.Equal(0, driver.Control(tap, QueueControl.VnetBe, 1));
        Assert.True(device.VnetBe);
        Assert.Equal(0, driver.Control(tap, QueueControl.VnetBe, 0));
        Assert.False(device.VnetBe);
    }

    [Fact(DisplayName = "R33: offload with CSUM|TSO4 reaches TUNSETOFFLOAD and returns 0")]
    public void OffloadReachesTheKernel()
    {
        var (k, driver, tap) = OneTap();
        Assert.Equal(0, driver.Control(tap, QueueControl.Offload, (long)(TunOffload.Csum | TunOffload.Tso4)));
        Assert.Equal(TunOffload.Csum | TunOffload.Tso4, k.Device("tap0")!.Offload);
    }

    [Fact(DisplayName = "Rate limits: adding and changing a limit are each told to the listener with their outcome")]
    public void RateLimitOutcomesTold()
    {
        var events = new EventLog();
        var rig = new HubRig(23, events: events);
        var settings = new RateLimitSettings(BucketSettings.Off, new BucketSettings(10, 0, 1000));
        Assert.Null(rig.Driver.AddRateLimit("r0", "t1", RateDirection.Rx, settings));
        Assert.Null(rig.Driver.SetRateLimit("r0", settings));
        Assert.Equal("no rate limit 'r9'", rig.Driver.SetRateLimit("r9", settings));
        Assert.Equal(
            ["add r0 t1", "done r0 ok", "set r0", "done r0 ok", "set r9", "done r9 no rate limit 'r9'"],
            events.Lines.Where(l => !l.StartsWith("create", StringComparison.Ordinal)));
    }

    [Fact(DisplayName = "Rate limits: deleting everything closes the limiters' timerfd too; no fd is left")]
    public void DeleteAllClosesTheTimer()
    {
        var rig = new HubRig(24);
        rig.Limit("t1", RateDirection.Rx, new RateLimitSettings(BucketSettings.Off, new BucketSettings(10, 0, 1000)));
        rig.Send(new byte[100], 30);
        rig.Kernel.RunUntilIdle(200);
        Assert.Contains(rig.Kernel.OpenFds, fd => rig.Kernel.FileOf(new Tap.Core.Os.Fd(fd)) is SimFile.Timer);
        rig.Driver.DeleteAll();
        Assert.Equal(new[] { 0, 1, 2 }, rig.Kernel.OpenFds);
    }

    private sealed class EventLog : IFrontendEvents
    {
        public List<string> Lines { get; } = new();

        public void CreatingNetdev(int index) => Lines.Add($"create {index}");
        public void NetdevCreated(int index, NetdevInitResult result) => Lines.Add($"created {index}");
        public void RunningExitNotifiers() => Lines.Add("exit");
        public void Capturing(NetClient client) => Lines.Add("capture");
        public void PlanningOffloads() => Lines.Add("offloads");
        public void Controlling(TapBackend queue, QueueControl op, long argument) => Lines.Add("control");
        public void Controlled(TapBackend queue, int result) => Lines.Add("controlled");
        public void Stopped(int signal) => Lines.Add("stop");
        public void DeletingAll() => Lines.Add("delete");

        public void AddingRateLimit(string id, string netdev, RateDirection? direction, RateLimitSettings settings) =>
            Lines.Add($"add {id} {netdev}");

        public void SettingRateLimit(string id, RateLimitSettings settings) => Lines.Add($"set {id}");
        public void RateLimitDone(string id, string? error) => Lines.Add($"done {id} {error ?? "ok"}");
    }
}
