using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using Tap.Tests.Model;

namespace Tap.Tests.Properties.Vhost;

/// <summary>
/// What happens on every vhost queue of a created netdev while the kernel worker owns it: frames the host sends
/// into the tap, chains the guest transmits (frame lengths; the header is laid out by <see cref="VhostFrames"/>),
/// receive buffers the guest posts, whether the peer sends meanwhile, whether the front end stops vhost
/// before the netdev is deleted (if not, cleanup must), and whether it asks for polling, detaches and attaches the
/// queue while vhost owns it (none of which may bring the watch back, R25c).
/// </summary>
public sealed record VhostWorkload(
    ImmutableArray<int> HostFrameLengths,
    ImmutableArray<int> GuestFrameLengths,
    int RxBuffers,
    int RxBufferBytes,
    bool PeerSendsWhileOwned,
    bool StopBeforeTeardown,
    bool FrontEndPokesWhileOwned = false)
{
    public override string ToString() =>
        $"host [{string.Join(",", HostFrameLengths)}] guest [{string.Join(",", GuestFrameLengths)}] rx {RxBuffers}x{RxBufferBytes}"
        + $" peer={PeerSendsWhileOwned} stop={StopBeforeTeardown} pokes={FrontEndPokesWhileOwned}";
}

/// <summary>A creation case with poll-us drawn wider than the creation property does, and a workload.</summary>
public sealed record VhostCase(ModelCase Case, VhostWorkload Workload)
{
    public override string ToString() => $"{Case}\n  workload: {Workload}";
}

public static class VhostGen
{
    /// <summary>
    /// Frame lengths: mostly valid Ethernet frames, some runts (the tap refuses under 14), some empty.
    /// </summary>
    private static Gen<int> FrameLength { get; } = Gen.Frequency(
        (6, Gen.Choose(14, 1514)),
        (2, Gen.Elements(14, 60, 64)),
        (1, Gen.Choose(1, 13)),
        (1, Gen.Constant(0)));

    private static Gen<ImmutableArray<int>> Frames { get; } =
        from n in Gen.Choose(0, 6)
        from lengths in Gen.ArrayOf(FrameLength, n)
        select lengths.ToImmutableArray();

    public static Gen<VhostWorkload> Workloads { get; } =
        from host in Frames
        from guest in Frames
        from buffers in Gen.Choose(0, 8)
        from bytes in Gen.Elements(64, 256, 2048)
        from peer in Gen.Elements(true, false)
        from stop in Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false)))
        from pokes in Gen.Elements(true, false)
        select new VhostWorkload(host.Where(l => l > 0).ToImmutableArray(), guest, buffers, bytes, peer, stop, pokes);

    /// <summary>poll-us: absent, 0, small, QEMU's usual 50, and the extremes of its uint32 range.</summary>
    private static Gen<uint?> PollUs { get; } = Gen.Elements<uint?>(null, 0, 1, 50, 1000, uint.MaxValue);

    /// <summary>
    /// Half the cases as the creation property draws them (vhost rarely gets that far there), half pushed towards
    /// vhost: vhost=on or vhostforce=on, /dev/vhost-net present and init working; the branch, fds and the rest as
    /// drawn.
    /// </summary>
    public static Gen<VhostCase> Cases { get; } =
        from c in ModelGen.Cases
        from poll in PollUs
        from widen in Gen.Elements(true, false)
        from towardsVhost in Gen.Elements(true, false)
        from knobs in Gen.Elements<(bool?, bool?)>((true, null), (null, true), (true, true), (true, false))
        from w in Workloads
        select new VhostCase(Push(c, widen ? poll : c.Options.PollUs, towardsVhost ? knobs : null), w);

    private static ModelCase Push(ModelCase c, uint? pollUs, (bool? Vhost, bool? Force)? knobs) =>
        knobs is not { } k || c.Options.Kind != NetdevKind.Tap
            ? c with { Options = c.Options with { PollUs = pollUs } }
            : new ModelCase(
                c.Options with { PollUs = pollUs, Vhost = k.Vhost, Vhostforce = k.Force },
                c.Env with { VhostNetOpenError = null, VhostInitFailsAtQueue = null });

    public static Arbitrary<VhostCase> Arbitrary() => Arb.From(Cases);
}
