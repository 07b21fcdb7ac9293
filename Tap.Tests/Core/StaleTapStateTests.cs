using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;
using Tap.Sim;

namespace Tap.Tests.Core;

/// <summary>D-21 in the simulator: a persistent tap that a previous user left dirty comes up clean.</summary>
public sealed class StaleTapStateTests
{
    public static TheoryData<bool, uint, string> Combinations()
    {
        var data = new TheoryData<bool, uint, string>();
        foreach (bool vnet in new[] { true, false })
        {
            foreach (uint queues in new uint[] { 1, 2, 4 })
            {
                foreach (string script in new[] { "no", "/up" })
                {
                    data.Add(vnet, queues, script);
                }
            }
        }
        return data;
    }

    [Theory(DisplayName = "D-21: opened by name, a dirty persistent tap loses its steering and filter programs, TX filter, socket filter and LE flag")]
    [MemberData(nameof(Combinations))]
    public void DirtyPersistentTapComesUpClean(bool vnetHdr, uint queues, string script)
    {
        var k = new SimKernel(21);
        k.Scripts["/up"] = new SimScript(ChildOutcome.Exit(0));
        var device = k.AddForeignTap("keep0", multiQueue: queues > 1, queues: 0);
        device.Persistent = true;
        device.HasSteeringProgram = true;
        device.HasFilterProgram = true;
        device.TxFilterAddresses = 3;
        device.HasSocketFilter = true;
        device.VnetLe = true;

        var r = TapInit.Run(new NetStack(), k, new NetdevEnvironment(),
            new TapOptions { Id = "t0", Ifname = "keep0", Script = script, Downscript = "no", VnetHdr = vnetHdr, Queues = queues });

        Assert.Null(r.Error);
        Assert.Equal((int)queues, r.Created.Count);
        Assert.False(device.HasSteeringProgram, "steering program");
        Assert.False(device.HasFilterProgram, "eBPF filter");
        Assert.Equal(0, device.TxFilterAddresses);
        Assert.False(device.HasSocketFilter, "socket filter");
        Assert.False(device.VnetLe, "little-endian flag");
        Assert.Empty(k.Reports);
    }

    [Fact(DisplayName = "D-21: a reset that fails (here EBADF) is one warning per state, naming what may have stayed; on a good fd none")]
    public void FailuresAreNamed()
    {
        var k = new SimKernel(22);
        var stack = new NetStack();
        var r = TapInit.Run(stack, k, new NetdevEnvironment(), new TapOptions { Id = "t0", Script = "no", Downscript = "no" });
        var tap = (TapBackend)r.Created[0];
        k.Reports.Clear();
        StaleTapState.Clear(k, new Fd(99));
        Assert.Equal(5, k.Reports.Count);
        Assert.Equal("could not clear the steering program a previous user may have left on the tap: Bad file descriptor", k.Reports[0].Message);
        Assert.All(k.Reports, d => Assert.Equal(DiagnosticKind.Warning, d.Kind));
        k.Reports.Clear();
        StaleTapState.Clear(k, tap.Fd);
        Assert.Empty(k.Reports);
    }
}
