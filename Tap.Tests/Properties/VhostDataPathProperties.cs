using System.Collections.Immutable;
using Tap.Tests.Model;
using Tap.Tests.Properties.Vhost;

namespace Tap.Tests.Properties;

/// <summary>
/// vhost-net's hand-over of the data path (R25a-R25c, R40, vhost-net §1, §2, §7.7) on every option combination the
/// creation generators produce: the simulated kernel's worker owns each vhost queue between vhost-start and
/// vhost-stop, and the checks read what reached the kernel.
/// </summary>
public sealed class VhostDataPathProperties(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>Default case count; TAPNET_PROPERTY_SCALE multiplies it.</summary>
    private const int Cases = 1500;

    [Fact(DisplayName = "R25a-R25c, R40, vhost-net §7.7: while vhost owns a queue the backend neither reads, writes nor polls it; poll-us reaches the kernel; vhost fds are cleaned up then closed once; frames cross both ways byte for byte")]
    public void VhostOwnsTheDataPath()
    {
        long cases = 0, vhostCases = 0, queues = 0, frames = 0, disagreements = 0;
        PropertyRun.Check(nameof(VhostOwnsTheDataPath), VhostGen.Arbitrary(), Cases, c =>
        {
            var (run, problems) = VhostRun.Execute(c);
            if (problems.Count > 0)
            {
                throw new Xunit.Sdk.XunitException(
                    $"case: {c}\n{string.Join("\n", problems)}\nrecord tail:\n  {string.Join("\n  ", run.Kernel.Record.Tail(30))}");
            }
            cases++;
            vhostCases += run.VhostQueues > 0 ? 1 : 0;
            queues += run.VhostQueues;
            frames += run.FramesCompared;
            disagreements += run.HeaderDisagreements;
            return true;
        });
        output.WriteLine($"cases {cases}, with vhost {vhostCases}, vhost queues {queues}, frames compared {frames}, "
            + $"queues whose header the kernel and the backend disagree on (vhost-net §8 item 6, no bytes compared) {disagreements}");
        Assert.True(vhostCases * 10 >= cases, $"only {vhostCases} of {cases} cases handed a queue to vhost: the generator no longer reaches it");
    }

    [Fact(DisplayName = "vhost-net §8 item 6 (open): vnet_hdr=off on an existing multiqueue tap with a header: the kernel keeps the header, the backend and vhost believe there is none")]
    public void HeaderBeliefOnAnExistingMultiqueueTap()
    {
        var c = new VhostCase(
            new ModelCase(
                new ModelOptions { Id = "t0", Ifname = "mq0", Script = "no", Downscript = "no", VnetHdr = false, Vhost = true, Queues = 2 },
                new ModelEnv
                {
                    VhostNetOpenError = null,
                    Interfaces = ImmutableDictionary<string, ExistingInterface>.Empty.Add("mq0", new ExistingInterface(InterfaceKind.MultiQueueTap, 2)),
                }),
            new VhostWorkload([60], [60], 1, 2048, PeerSendsWhileOwned: false, StopBeforeTeardown: true));
        var (run, problems) = VhostRun.Execute(c);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        // This pins today's behaviour, QEMU's as well; a fix (reading the flags back after TUNSETIFF) makes it 0.
        Assert.Equal(2, run.HeaderDisagreements);
        Assert.Contains(run.Kernel.Record.Tail(200), l => l.Split(' ') is ["VhostNetInit", _, _, "0", ..]);
    }

    [Theory(DisplayName = "R25a-R25c: one vhost queue per header owner, both directions, the peer's frame after stop")]
    [InlineData(true)]
    [InlineData(false)]
    public void OneQueueEachWay(bool vnetHdr)
    {
        var c = new VhostCase(
            new ModelCase(
                new ModelOptions { Id = "n0", Ifname = "vh0", Script = "no", Downscript = "no", VnetHdr = vnetHdr, Vhost = true, PollUs = 50, HubPeer = true },
                new ModelEnv { VhostNetOpenError = null }),
            new VhostWorkload([60, 1514, 14, 200], [60, 0, 13, 1514], 3, 2048, PeerSendsWhileOwned: true, StopBeforeTeardown: true));
        var (run, problems) = VhostRun.Execute(c);
        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n  " + string.Join("\n  ", run.Kernel.Record.Tail(40)));
        Assert.Equal(1, run.VhostQueues);
        // 3 host frames into 3 buffers, 2 valid guest frames at the host, the peer's frame after stop.
        Assert.Equal(6, run.FramesCompared);
    }
}
