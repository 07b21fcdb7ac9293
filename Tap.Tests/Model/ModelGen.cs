using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;

namespace Tap.Tests.Model;

/// <summary>One generated input: options crossed with an environment.</summary>
public sealed record ModelCase(ModelOptions Options, ModelEnv Env)
{
    public override string ToString() => $"{Options}\n  env: {ModelGen.DescribeEnv(Env)}";
}

/// <summary>
/// FsCheck 3 generators for the reference model. Environments use a fixed fd layout so that
/// option generators can refer to meaningful numbers:
/// 0-2 stdio (non-tap); 3-6 "tap slots" (mostly taps, sometimes other kinds or closed);
/// 7-8 "vhost slots" (mostly /dev/vhost-net fds); 9 random; 99 always closed.
/// Scripts: /s/ok (exit 0), /s/exit1 (256), /s/exit3 (768), /s/kill9 (9), /s/down (0); /nonexistent is missing.
/// Helpers (by program path): /h/send-tap, /h/send-tap-novnet, /h/send-null, /h/eof, /h/data,
/// /h/exit1, /h/send-tap-exit1, plus the default helper with a random behaviour.
/// Interfaces: lo (not tap), busy0 (single-queue, busy), persist0 (single-queue, free), mq0 (multiqueue).
/// Generation is biased towards deep branches: the branch is chosen first and conflicting keys are rare.
/// </summary>
public static class ModelGen
{
    public static readonly int[] TapSlots = [3, 4, 5, 6];
    public static readonly int[] VhostSlots = [7, 8];

    // ---- environment ---------------------------------------------------------------------------

    public static Gen<FdKind?> TapSlotKind { get; } = Gen.Frequency(
        (10, Gen.Constant<FdKind?>(FdKind.TapWithVnetHdr)),
        (3, Gen.Constant<FdKind?>(FdKind.TapWithoutVnetHdr)),
        (1, Gen.Constant<FdKind?>(FdKind.NotTap)),
        (1, Gen.Constant<FdKind?>(FdKind.UnattachedTun)),
        (1, Gen.Constant<FdKind?>(null)));

    public static Gen<FdKind?> VhostSlotKind { get; } = Gen.Frequency(
        (8, Gen.Constant<FdKind?>(FdKind.VhostNet)),
        (1, Gen.Constant<FdKind?>(FdKind.NotTap)),
        (1, Gen.Constant<FdKind?>(FdKind.TapWithVnetHdr)),
        (1, Gen.Constant<FdKind?>(null)));

    public static Gen<FdKind?> AnyFdKind { get; } = Gen.Elements<FdKind?>(
        FdKind.TapWithVnetHdr, FdKind.TapWithoutVnetHdr, FdKind.NotTap, FdKind.UnattachedTun, FdKind.VhostNet, null);

    public static Gen<HelperBehaviour> HelperBehaviours { get; } =
        from action in Gen.Elements(Enum.GetValues<HelperAction>())
        from exit in Gen.Frequency((4, Gen.Constant(0)), (1, Gen.Constant(1)), (1, Gen.Constant(2)))
        select new HelperBehaviour(action, exit);

    public static Gen<ImmutableSortedDictionary<int, FdKind>> Fds { get; } =
        from taps in Gen.ArrayOf(TapSlotKind, TapSlots.Length)
        from vhosts in Gen.ArrayOf(VhostSlotKind, VhostSlots.Length)
        from nine in AnyFdKind
        select BuildFds(taps, vhosts, nine);

    public static Gen<ImmutableDictionary<string, ExistingInterface>> Interfaces { get; } =
        from tap0 in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        from mqQueues in Gen.Elements(0, 1, 2, 255, 256)
        select BuildInterfaces(tap0, mqQueues);

    public static Gen<ModelEnv> Env { get; } =
        from fds in Fds
        from ifaces in Interfaces
        from vnet in Gen.Frequency((9, Gen.Constant(true)), (1, Gen.Constant(false)))
        from mq in Gen.Frequency((9, Gen.Constant(true)), (1, Gen.Constant(false)))
        from uso in Gen.Elements(true, false)
        from tunErr in Gen.Frequency((12, Gen.Constant<ModelErrno?>(null)), (1, Gen.Constant<ModelErrno?>(ModelErrno.ENOENT)), (1, Gen.Constant<ModelErrno?>(ModelErrno.EACCES)))
        from admin in Gen.Frequency((12, Gen.Constant(true)), (1, Gen.Constant(false)))
        from defaultScriptOk in Gen.Frequency((5, Gen.Constant(true)), (1, Gen.Constant(false)))
        from defaultHelper in HelperBehaviours
        from vhostErr in Gen.Elements<ModelErrno?>(null, null, ModelErrno.ENOENT)
        from initFails in Gen.Frequency((6, Gen.Constant<int?>(null)), (1, Gen.Constant<int?>(0)), (1, Gen.Constant<int?>(1)))
        from sndErr in Gen.Frequency((8, Gen.Constant<ModelErrno?>(null)), (1, Gen.Constant<ModelErrno?>(ModelErrno.EINVAL)))
        select new ModelEnv
        {
            Fds = fds,
            Interfaces = ifaces,
            VnetHdrSupported = vnet,
            MultiqueueSupported = mq,
            UsoKnown = uso,
            TunOpenError = tunErr,
            HasNetAdmin = admin,
            Scripts = ImmutableDictionary<string, ScriptBehaviour>.Empty
                .Add(ModelEnv.DefaultScript, defaultScriptOk ? ScriptBehaviour.Succeeds : ScriptBehaviour.Exits(1))
                .Add(ModelEnv.DefaultDownscript, ScriptBehaviour.Succeeds)
                .Add("/s/ok", ScriptBehaviour.Succeeds)
                .Add("/s/exit1", ScriptBehaviour.Exits(1))
                .Add("/s/exit3", ScriptBehaviour.Exits(3))
                .Add("/s/kill9", ScriptBehaviour.KilledBy(9))
                .Add("/s/down", ScriptBehaviour.Succeeds),
            Helpers = ImmutableDictionary<string, HelperBehaviour>.Empty
                .Add("/h/send-tap", new HelperBehaviour(HelperAction.SendsTapFd, 0))
                .Add("/h/send-tap-novnet", new HelperBehaviour(HelperAction.SendsTapFdWithoutVnetHdr, 0))
                .Add("/h/send-null", new HelperBehaviour(HelperAction.SendsNonTapFd, 0))
                .Add("/h/eof", new HelperBehaviour(HelperAction.ClosesWithoutSending, 0))
                .Add("/h/data", new HelperBehaviour(HelperAction.SendsDataWithoutFd, 0))
                .Add("/h/exit1", new HelperBehaviour(HelperAction.ClosesWithoutSending, 1))
                .Add("/h/send-tap-exit1", new HelperBehaviour(HelperAction.SendsTapFd, 1))
                .Add(ModelEnv.DefaultHelper, defaultHelper),
            MonitorFds = ImmutableDictionary<string, int>.Empty.Add("n3", 3).Add("n4", 4).Add("n7", 7),
            VhostNetOpenError = vhostErr,
            VhostInitFailsAtQueue = initFails,
            SndbufError = sndErr,
        };

    // ---- option values -------------------------------------------------------------------------

    /// <summary>A tap fd string: mostly tap slots, sometimes closed (99), CLI-equivalent spellings, or invalid text.</summary>
    public static Gen<string> TapFdString { get; } = Gen.Frequency(
        (12, Gen.Elements("3", "4", "5", "6")),
        (1, Gen.Elements("99", "0", "9")),
        (1, Gen.Elements("+3", " 3", "03")),
        (1, Gen.Elements("abc", "-1", "", "3 ", "n3", "zz")));

    public static Gen<string> VhostFdString { get; } = Gen.Frequency(
        (8, Gen.Elements("7", "8")),
        (1, Gen.Elements("99", "3", "9")),
        (1, Gen.Elements("abc", "", "-1", "n7")));

    /// <summary>fds= texts: 1-4 (distinct, mostly) slot items, plus the special shapes of O32/D-25.</summary>
    public static Gen<string> FdsList { get; } = Gen.Frequency(
        (10, from n in Gen.Choose(1, 4)
             from items in Gen.Shuffle(TapSlots)
             select string.Join(':', items.Take(n))),
        (2, from items in Gen.ListOf(TapFdString, 2) select string.Join(':', items)),
        (2, Gen.Elements("", "3::4", ":3", "3:4:", "3:", ":", "3:3", "3:99", "99", "n3:n4", "3:4:5:6:")),
        (1, Gen.Elements(string.Join(':', Enumerable.Repeat("3", 257)), string.Join(':', Enumerable.Range(3, 300)))));

    public static Gen<uint?> Queues { get; } = Gen.Frequency(
        (6, Gen.Constant<uint?>(null)),
        (6, Gen.Elements<uint?>(1, 2, 4)),
        (1, Gen.Elements<uint?>(0, 257, 300)));

    public static Gen<ulong?> Sndbuf { get; } = Gen.Frequency(
        (6, Gen.Constant<ulong?>(null)),
        (2, Gen.Elements<ulong?>(0, 1024, 1536, 16, 3UL << 30, 2147483648UL, 1)));

    public static Gen<string?> ScriptPath { get; } = Gen.Frequency(
        (4, Gen.Elements<string?>(null, "no")),
        (3, Gen.Elements<string?>("/s/ok", "")),
        (2, Gen.Elements<string?>("/s/exit1", "/s/exit3", "/s/kill9", "/nonexistent")));

    public static Gen<string?> DownscriptPath { get; } = Gen.Elements<string?>(null, "no", "no", "", "/s/down", "/s/exit1");

    public static Gen<string?> Ifname { get; } = Gen.Frequency(
        (6, Gen.Constant<string?>(null)),
        (4, Gen.Elements<string?>("vm0", "", "tap0", "vm%d", "persist0", "mq0", "fifteen-chars-x")),
        (2, Gen.Elements<string?>("lo", "busy0", "a b", "x/y", "a:b", "t%d%d", "t%s", "abcdefghijklmnop", ".")));

    public static Gen<string> HelperText { get; } = Gen.Frequency(
        (6, Gen.Elements("/h/send-tap", "/h/send-tap-novnet", "/h/send-tap send-tap", "/h/send-tap\tx --br=xx")),
        (3, Gen.Elements("/h/send-null", "/h/eof", "/h/data", "/h/exit1", "/h/send-tap-exit1", "/h/missing", ModelEnv.DefaultHelper)),
        (1, Gen.Elements("", " ", "  /h/send-tap  a ", "/h/send-tap --br=")));

    public static Gen<string?> BridgeName { get; } = Gen.Frequency(
        (6, Gen.Elements<string?>(null, "br0", "specbr0", "fifteen-chars-x")),
        (1, Gen.Elements<string?>("", "x;echo INJECTED", "a/b", "a:b", "sixteen-chars-xx", "tab\tx", "c\u0001")));

    public static Gen<bool?> OptBool(int absentWeight) => Gen.Frequency(
        (absentWeight, Gen.Constant<bool?>(null)),
        (1, Gen.Constant<bool?>(true)),
        (1, Gen.Constant<bool?>(false)));

    public static Gen<uint?> PollUs { get; } = Gen.Elements<uint?>(null, null, null, 0, 50);

    /// <summary>vhost, vhostforce and poll-us applied to a base (vhostfd/vhostfds are set per branch).</summary>
    private static Gen<ModelOptions> WithVhostKnobs(ModelOptions o) =>
        from vhost in OptBool(4)
        from force in OptBool(6)
        from poll in PollUs
        from snd in Sndbuf
        select o with { Vhost = vhost, Vhostforce = force, PollUs = poll, Sndbuf = snd };

    /// <summary>Occasionally (1 in 12) adds a key that is invalid in the chosen branch.</summary>
    private static Gen<ModelOptions> MaybeConflict(ModelOptions o) => Gen.Frequency(
        (11, Gen.Constant(o)),
        (1, Gen.Elements(
            o with { Ifname = "x" },
            o with { Script = "no" },
            o with { VnetHdr = true },
            o with { Queues = 1 },
            o with { Helper = "/h/send-tap" },
            o with { Vhostfds = "7" },
            o with { Vhostfd = "7" },
            o with { Fds = "3" })));

    private static Gen<ModelOptions> Context(ModelOptions o) =>
        from hub in Gen.Frequency((19, Gen.Constant(false)), (1, Gen.Constant(true)))
        from monitor in Gen.Frequency((9, Gen.Constant(false)), (1, Gen.Constant(true)))
        select o with { HubPeer = hub, FromMonitor = monitor };

    public static Gen<ModelOptions> BranchFdOptions { get; } =
        from fd in TapFdString
        from vhostfd in Gen.Frequency((4, Gen.Constant<string?>(null)), (1, VhostFdString.Select(s => (string?)s)))
        from knobs in WithVhostKnobs(new ModelOptions { Fd = fd, Vhostfd = vhostfd })
        from o in MaybeConflict(knobs)
        select o;

    public static Gen<ModelOptions> BranchFdsOptions { get; } =
        from fds in FdsList
        from vhostMode in Gen.Frequency((5, Gen.Constant(0)), (3, Gen.Constant(1)), (1, Gen.Constant(2)))
        let count = fds.Length == 0 ? 0 : NetdevReferenceModel.SplitFds(fds).Length
        let vhostfds = vhostMode switch
        {
            0 => null,
            1 => string.Join(':', Enumerable.Range(0, count).Select(i => i % 2 == 0 ? "7" : "8")),
            _ => "7",
        }
        from knobs in WithVhostKnobs(new ModelOptions { Fds = fds, Vhostfds = vhostfds })
        from o in MaybeConflict(knobs)
        select o;

    public static Gen<ModelOptions> BranchHelperOptions { get; } =
        from helper in HelperText
        from br in BridgeName
        from vhostfd in Gen.Frequency((5, Gen.Constant<string?>(null)), (1, VhostFdString.Select(s => (string?)s)))
        from knobs in WithVhostKnobs(new ModelOptions { Helper = helper, Br = br, Vhostfd = vhostfd })
        from o in MaybeConflict(knobs)
        select o;

    public static Gen<ModelOptions> BranchDefaultOptions { get; } =
        from ifname in Ifname
        from queues in Queues
        from script in ScriptPath
        from down in DownscriptPath
        from vnet in OptBool(3)
        from vhostfd in Gen.Frequency((8, Gen.Constant<string?>(null)), (1, VhostFdString.Select(s => (string?)s)))
        from br in Gen.Elements<string?>(null, null, "ignored/br")
        from knobs in WithVhostKnobs(new ModelOptions
        {
            Ifname = ifname,
            Queues = queues,
            Script = script,
            Downscript = down,
            VnetHdr = vnet,
            Vhostfd = vhostfd,
            Br = br,
        })
        from o in MaybeConflict(knobs)
        select o;

    public static Gen<ModelOptions> BridgeOptions { get; } =
        from helper in Gen.Frequency((2, Gen.Constant<string?>(null)), (3, HelperText.Select(s => (string?)s)))
        from br in BridgeName
        select new ModelOptions { Kind = NetdevKind.Bridge, Id = "b0", Helper = helper, Br = br };

    public static Gen<ModelOptions> TapOptions { get; } = Gen.Frequency(
        (2, BranchFdOptions),
        (3, BranchFdsOptions),
        (2, BranchHelperOptions),
        (4, BranchDefaultOptions));

    /// <summary>Every tap branch and bridge, with the invocation context (hub peer 5%, monitor 10%).</summary>
    public static Gen<ModelOptions> Options { get; } =
        from o in Gen.Frequency((5, TapOptions), (1, BridgeOptions))
        from c in Context(o)
        select c;

    public static Gen<ModelCase> Cases { get; } =
        from env in Env
        from o in Options
        select new ModelCase(o, env);

    public static Arbitrary<ModelCase> CaseArbitrary() => Arb.From(Cases);

    // ---- helpers -------------------------------------------------------------------------------

    private static ImmutableSortedDictionary<int, FdKind> BuildFds(FdKind?[] taps, FdKind?[] vhosts, FdKind? nine)
    {
        var b = ImmutableSortedDictionary.CreateBuilder<int, FdKind>();
        b.Add(0, FdKind.NotTap);
        b.Add(1, FdKind.NotTap);
        b.Add(2, FdKind.NotTap);
        for (var i = 0; i < TapSlots.Length; i++)
        {
            if (taps[i] is { } k)
            {
                b.Add(TapSlots[i], k);
            }
        }

        for (var i = 0; i < VhostSlots.Length; i++)
        {
            if (vhosts[i] is { } k)
            {
                b.Add(VhostSlots[i], k);
            }
        }

        if (nine is { } n)
        {
            b.Add(9, n);
        }

        return b.ToImmutable();
    }

    private static ImmutableDictionary<string, ExistingInterface> BuildInterfaces(bool tap0, int mqQueues)
    {
        var d = ImmutableDictionary<string, ExistingInterface>.Empty
            .Add("lo", new ExistingInterface(InterfaceKind.NotTap))
            .Add("busy0", new ExistingInterface(InterfaceKind.SingleQueueTapBusy, 1))
            .Add("persist0", new ExistingInterface(InterfaceKind.SingleQueueTapFree))
            .Add("mq0", new ExistingInterface(InterfaceKind.MultiQueueTap, mqQueues));
        return tap0 ? d.Add("tap0", new ExistingInterface(InterfaceKind.SingleQueueTapBusy, 1)) : d;
    }

    public static string DescribeEnv(ModelEnv e) =>
        $"fds={{{string.Join(",", e.Fds.Where(p => p.Key > 2).Select(p => $"{p.Key}:{p.Value}"))}}}"
        + $" vnet={e.VnetHdrSupported} mq={e.MultiqueueSupported} tun={e.TunOpenError?.ToString() ?? "ok"} admin={e.HasNetAdmin}"
        + $" ifaces={{{string.Join(",", e.Interfaces.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{p.Value.Kind}/{p.Value.AttachedQueues}"))}}}"
        + $" ifup={e.Scripts.GetValueOrDefault(ModelEnv.DefaultScript)?.WaitStatus}"
        + $" defhelper={e.Helpers.GetValueOrDefault(ModelEnv.DefaultHelper)}"
        + $" vhostdev={e.VhostNetOpenError?.ToString() ?? "ok"} vhostInitFailsAt={e.VhostInitFailsAtQueue?.ToString() ?? "-"}"
        + $" sndbufErr={e.SndbufError?.ToString() ?? "-"}";
}

/// <summary>For <c>[Property(Arbitrary = new[] { typeof(ModelArbitraries) })]</c>.</summary>
public static class ModelArbitraries
{
    public static Arbitrary<ModelCase> ModelCase() => ModelGen.CaseArbitrary();
}
