using Tap.Core.Abi;
using Tap.Tests.Core;

namespace Tap.Tests.Pins;

/// <summary>R30-R33: the value each control operation passes reaches the simulated kernel, both ways.</summary>
public sealed class BackendControlPinsTests
{
    [Fact(DisplayName = "R32: TUNSETVNETLE 1 then 0 and TUNSETVNETBE 1 then 0 reach the kernel as asked")]
    public void EndianValuesReachTheKernel()
    {
        var rig = new SimRig();
        rig.Kernel.VnetBeSupported = true;
        Assert.Equal(0, rig.Tap.SetVnetLe(true));
        Assert.True(rig.Device.VnetLe);
        Assert.Equal(0, rig.Tap.SetVnetLe(false));
        Assert.False(rig.Device.VnetLe);
        Assert.Equal(0, rig.Tap.SetVnetBe(true));
        Assert.True(rig.Device.VnetBe);
        Assert.Equal(0, rig.Tap.SetVnetBe(false));
        Assert.False(rig.Device.VnetBe);
        Assert.Equal(new[]
        {
            "TunSetVnetLe 3 0 -> ok", // D-21: cleared when the tap was opened
            "TunSetVnetLe 3 1 -> ok",
            "TunSetVnetLe 3 0 -> ok",
            "TunSetVnetBe 3 1 -> ok",
            "TunSetVnetBe 3 0 -> ok",
        }, rig.Kernel.Record.Lines.Where(l => l.StartsWith("TunSetVnetLe ", StringComparison.Ordinal)
            || l.StartsWith("TunSetVnetBe ", StringComparison.Ordinal)));
        Assert.Empty(rig.Kernel.Reports);
    }

    [Fact(DisplayName = "R32/D-16: a BE failure other than EINVAL is reported with QEMU's words and returned as -errno")]
    public void BeFailureReported()
    {
        var rig = new SimRig();
        rig.Kernel.VnetBeSupported = true;
        rig.Device.Deleted = true;
        Assert.Equal(-77, rig.Tap.SetVnetBe(true));
        Assert.Contains(rig.Kernel.Reports, d => d.Message == "TUNSETVNETBE ioctl() failed: File descriptor in bad state.");
    }
}
