using Tap.Core.Frontend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.RateLimit;
using Tap.Sim;

namespace Tap.Tests.RateLimits;

/// <summary>
/// Two simulated taps joined by a hub (tap0 - h0 - hub 0 - h1 - tap1), as <c>tapnet</c> runs them: the host behind
/// tap0 sends, the host behind tap1 counts what arrives. Time is the simulated kernel's clock.
/// </summary>
internal sealed class HubRig
{
    /// <summary>Frames the host keeps waiting in tap0's ring (below the ring's 1000).</summary>
    private const int RingTarget = 200;

    public HubRig(ulong seed, long nsPerIteration = 0, IFrontendEvents? events = null, Tap.Core.Os.IOsNet? os = null)
    {
        Kernel = new SimKernel(seed) { NsPerIteration = nsPerIteration, RecordDataPath = false, KeepTransmitted = true };
        Driver = new CoreDriver(Stack, os ?? Kernel, new NetdevEnvironment(), events);
        foreach (var arg in new[]
        {
            "tap,id=t0,ifname=tap0,script=no,downscript=no", "tap,id=t1,ifname=tap1,script=no,downscript=no",
            "hubport,id=h0,hubid=0,netdev=t0", "hubport,id=h1,hubid=0,netdev=t1",
        })
        {
            var created = Driver.CreateNetdev(0, NetdevParser.Parse(arg).Options!);
            Assert.True(created.Ok, created.Error);
        }
        Kernel.SetLinkUp("tap0", true);
        Kernel.SetLinkUp("tap1", true);
    }

    public SimKernel Kernel { get; }
    public NetStack Stack { get; } = new();
    public CoreDriver Driver { get; }

    /// <summary>Frames tap1's host has taken so far.</summary>
    public long Delivered { get; private set; }

    /// <summary>Host frames sent into tap0 so far (queued in its ring).</summary>
    public long Sent { get; private set; }

    /// <summary>Sends <paramref name="frame"/> into tap0 until <paramref name="target"/> frames wait there.</summary>
    public void TopUp(byte[] frame, int target = RingTarget)
    {
        var q = Kernel.Device("tap0")!.Queues[0];
        while (q.Pending < target)
        {
            Assert.True(Kernel.HostSend("tap0", frame, 0));
            Sent++;
        }
    }

    /// <summary>Sends <paramref name="count"/> frames into tap0.</summary>
    public void Send(byte[] frame, int count)
    {
        for (int i = 0; i < count; i++)
        {
            Assert.True(Kernel.HostSend("tap0", frame, 0));
            Sent++;
        }
    }

    /// <summary>One loop iteration, then tap1's host takes what arrived; returns the frames it took.</summary>
    public int Step()
    {
        Kernel.RunOnce();
        return Take();
    }

    /// <summary>tap1's host takes what arrived; returns the frames.</summary>
    public int Take()
    {
        int n = Kernel.HostReceive("tap1").Count;
        Delivered += n;
        return n;
    }

    /// <summary>Adds a limiter; asserts it was accepted.</summary>
    public RateLimiter Limit(string netdev, RateDirection direction, RateLimitSettings settings)
    {
        Assert.Null(Driver.AddRateLimit("r0", netdev, direction, settings));
        return Driver.RateLimits.Limiters.Single();
    }
}
