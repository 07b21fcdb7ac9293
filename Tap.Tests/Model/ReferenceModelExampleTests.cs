using System.Collections.Immutable;

namespace Tap.Tests.Model;

/// <summary>
/// Checks the reference model itself against the verified rows of netdev-options.md §8, the verified
/// examples in O30-O37/netdev-options §5, and helpers-and-scripts.md B5/B9. Where a deliberate difference applies the
/// test asserts OUR behaviour and the display name states QEMU's.
/// </summary>
public sealed class ReferenceModelExampleTests
{
    private static readonly ModelEnv VhostPresent = ModelEnv.Default with { VhostNetOpenError = null };

    private static ModelOptions B => ModelOptions.TapBase;

    private static ModelError Err(ModelOptions o, ModelEnv? env = null)
    {
        var outcome = NetdevReferenceModel.Evaluate(o, env ?? ModelEnv.Default);
        return Assert.IsType<ModelError>(outcome);
    }

    private static ModelCreated Ok(ModelOptions o, ModelEnv? env = null)
    {
        var outcome = NetdevReferenceModel.Evaluate(o, env ?? ModelEnv.Default);
        return Assert.IsType<ModelCreated>(outcome, exactMatch: true);
    }

    private static ModelOutcome Eval(string items, ModelEnv? env = null) =>
        NetdevReferenceModel.Evaluate(ParseItems(items), env ?? ModelEnv.Default);

    /// <summary>Test-only splitter for canonical items (no ',,' escapes needed here).</summary>
    private static List<KeyValuePair<string, string>> ParseItems(string text) =>
        [.. text.Split(',').Select((item, i) =>
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            return eq < 0 && i == 0
                ? new KeyValuePair<string, string>("type", item)
                : new KeyValuePair<string, string>(item[..eq], item[(eq + 1)..]);
        })];

    private static ModelEnv Fds(params (int Fd, FdKind Kind)[] fds) =>
        fds.Aggregate(ModelEnv.Default, (e, f) => e.WithFd(f.Fd, f.Kind));

    // ---- netdev-options §8 rows ---------------------------------------------------------------------------------

    [Fact(DisplayName = "netdev-options §8/X4: B,queues=0 → ours: range error (QEMU: assertion `nc', exit 134)")]
    public void QueuesZero()
    {
        var e = Err(B with { Queues = 0 });
        Assert.Equal(OurMessages.QueuesRange, e.Message);
        Assert.Equal(FailurePhase.Options, e.Phase);
        Assert.Empty(e.ScriptRuns);
    }

    [Fact(DisplayName = "netdev-options §8: fd=3,ifname=x → the fd= combination message")]
    public void FdWithIfname() =>
        Assert.Equal(NetdevReferenceModel.ComboFd, Err(new ModelOptions { Fd = "3", Ifname = "x" }).Message);

    [Fact(DisplayName = "netdev-options §8/X4: fds= (empty) → ours: error (QEMU: assertion `nc', exit 134)")]
    public void FdsEmpty() => Assert.Equal(OurMessages.FdsEmpty, Err(new ModelOptions { Fds = "" }).Message);

    [Fact(DisplayName = "netdev-options §8: fds=3:4 (4 lacks vnet hdr) → vnet_hdr not consistent; ours: both fds closed, no queue left (QEMU: queue 0 stays, fd 4 leaked)")]
    public void FdsInconsistent()
    {
        var e = Err(new ModelOptions { Fds = "3:4" }, Fds((3, FdKind.TapWithVnetHdr), (4, FdKind.TapWithoutVnetHdr)));
        Assert.Equal(NetdevReferenceModel.VnetInconsistent, e.Message);
        Assert.Equal([3, 4], e.TakenFds);
    }

    [Fact(DisplayName = "netdev-options §8/B3.3: fds=3:4 with a non-tap fd as item 1 → vnet_hdr not consistent")]
    public void FdsNonTapSecond() =>
        Assert.Equal(NetdevReferenceModel.VnetInconsistent,
            Err(new ModelOptions { Fds = "3:4" }, Fds((3, FdKind.TapWithVnetHdr), (4, FdKind.NotTap))).Message);

    [Fact(DisplayName = "netdev-options §8: fds=3:4,vhostfds=7 → count mismatch, nothing taken")]
    public void FdsVhostfdsMismatch()
    {
        var e = Err(new ModelOptions { Fds = "3:4", Vhostfds = "7" });
        Assert.Equal(NetdevReferenceModel.FdsVhostfdsMismatch, e.Message);
        Assert.Empty(e.TakenFds);
    }

    [Fact(DisplayName = "netdev-options §8: B,vhost=off,vhostfd=5 → vhostfd(s)= is not valid without vhost")]
    public void VhostOffWithVhostfd() =>
        Assert.Equal(NetdevReferenceModel.VhostfdWithoutVhost, Err(B with { Vhost = false, Vhostfd = "5" }).Message);

    [Fact(DisplayName = "netdev-options §8: B,vhostforce=on without /dev/vhost-net → open vhost char device failed: ENOENT")]
    public void VhostforceNoDevice()
    {
        var e = Err(B with { Vhostforce = true });
        Assert.Equal("tap: open vhost char device failed: No such file or directory", e.Message);
        Assert.Equal(FailurePhase.QueueSetup, e.Phase);
    }

    [Fact(DisplayName = "netdev-options §8/O40/X7: B,vhost=on without /dev/vhost-net → ours = seed: error (QEMU 7.2: warning then abort 134)")]
    public void VhostOnNoDevice() =>
        Assert.Equal("tap: open vhost char device failed: No such file or directory", Err(B with { Vhost = true }).Message);

    [Fact(DisplayName = "netdev-options §8/O30: -net tap,queues=2 → Multiqueue tap cannot be used with hubs (also queues=1, fds, vhostfds)")]
    public void HubMultiqueue()
    {
        Assert.Equal(NetdevReferenceModel.HubMultiqueue, Err(B with { HubPeer = true, Queues = 2 }).Message);
        Assert.Equal(NetdevReferenceModel.HubMultiqueue, Err(B with { HubPeer = true, Queues = 1 }).Message);
        Assert.Equal(NetdevReferenceModel.HubMultiqueue, Err(new ModelOptions { HubPeer = true, Fds = "3" }).Message);
        Assert.IsType<ModelCreated>(NetdevReferenceModel.Evaluate(B with { HubPeer = true }, ModelEnv.Default));
    }

    [Fact(DisplayName = "netdev-options §8/S5: script=/nonexistent,downscript=no → failed with status 256, no down script")]
    public void ScriptMissing()
    {
        var e = Err(new ModelOptions { Script = "/nonexistent", Downscript = "no" });
        Assert.Equal("network script /nonexistent failed with status 256 (could not be run: No such file or directory)", e.Message);
        Assert.Equal([new ScriptRun(ScriptRole.Setup, ["/nonexistent", "tap0"])], e.ScriptRuns, ScriptRunComparer.Instance);
    }

    [Theory(DisplayName = "S5/D-27: raw wait status kept, then its meaning: exit k → 256·k (exit code k), signal s → s (killed by signal s)")]
    [InlineData(1, 0, "256 (exit code 1)")]
    [InlineData(3, 0, "768 (exit code 3)")]
    [InlineData(0, 9, "9 (killed by signal 9)")]
    public void ScriptStatus(int exit, int signal, string status)
    {
        var env = ModelEnv.Default.WithScript("/up", signal != 0 ? ScriptBehaviour.KilledBy(signal) : ScriptBehaviour.Exits(exit));
        Assert.Equal($"network script /up failed with status {status}", Err(B with { Script = "/up" }, env).Message);
    }

    [Fact(DisplayName = "netdev-options §8: bridge,id=b0 with no bridge.conf (default helper exits 1) → bridge helper failed")]
    public void BridgeDefaultHelperFails()
    {
        var e = Err(new ModelOptions { Kind = NetdevKind.Bridge, Id = "b0" }, ModelEnv.Default.WithBusyFdsThrough(6));
        Assert.Equal("bridge helper failed (exit code 1)", e.Message);
        Assert.Equal([ModelEnv.DefaultHelper, "--use-vnet", "--fd=8", "--br=br0"], e.HelperArgv!.Value.ToArray());
    }

    // ---- O33 fd strings ---------------------------------------------------------------------------

    [Fact(DisplayName = "A3: fd=99 → t0: Can't use file descriptor 99: Bad file descriptor")]
    public void FdAbsent() =>
        Assert.Equal("t0: Can't use file descriptor 99: Bad file descriptor", Err(new ModelOptions { Fd = "99" }).Message);

    [Fact(DisplayName = "A4: fd=0 → Unable to query TUNGETIFF on FD 0: Inappropriate ioctl for device (fd closed)")]
    public void FdStdin()
    {
        var e = Err(new ModelOptions { Fd = "0" });
        Assert.Equal("Unable to query TUNGETIFF on FD 0: Inappropriate ioctl for device", e.Message);
        Assert.Equal([0], e.TakenFds);
    }

    [Theory(DisplayName = "O33: +3, ' 3', 03 all mean fd 3 on the command line")]
    [InlineData("+3")]
    [InlineData(" 3")]
    [InlineData("03")]
    [InlineData("3")]
    public void FdSpellings(string text)
    {
        var c = Ok(new ModelOptions { Fd = text }, Fds((3, FdKind.TapWithVnetHdr)));
        Assert.Equal("fd=3", Assert.Single(c.Queues).Info);
        Assert.Equal([3], c.TakenFds);
    }

    [Theory(DisplayName = "O33: abc, -1, empty, '3 ' → Invalid file descriptor number")]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("")]
    [InlineData("3 ")]
    [InlineData("2147483648")]
    public void FdInvalid(string text) =>
        Assert.Equal($"Invalid file descriptor number '{text}'", Err(new ModelOptions { Fd = text }).Message);

    [Fact(DisplayName = "O33: from a monitor, a non-digit fd string is a getfd name; unknown → not found")]
    public void MonitorNames()
    {
        var env = Fds((3, FdKind.TapWithVnetHdr)) with { MonitorFds = ImmutableDictionary<string, int>.Empty.Add("tapfd", 3) };
        var c = Ok(new ModelOptions { Fd = "tapfd", FromMonitor = true }, env);
        Assert.Equal("fd=3", c.Queues[0].Info);
        Assert.Equal("File descriptor named 'zz' has not been found",
            Err(new ModelOptions { Fd = "zz", FromMonitor = true }, env).Message);
    }

    [Theory(DisplayName = "O32/D-25: 3::4 and :3 → Invalid file descriptor number '' up front; 3:4: is two items")]
    [InlineData("3::4")]
    [InlineData(":3")]
    [InlineData(":")]
    public void FdsEmptyItem(string fds)
    {
        var e = Err(new ModelOptions { Fds = fds }, Fds((3, FdKind.TapWithVnetHdr), (4, FdKind.TapWithVnetHdr)));
        Assert.Equal("Invalid file descriptor number ''", e.Message);
        Assert.Empty(e.TakenFds);
    }

    [Fact(DisplayName = "O32: fds=3:4: → 2 queues; two separate single-queue taps are accepted")]
    public void FdsTrailingColon()
    {
        var c = Ok(new ModelOptions { Fds = "3:4:" }, Fds((3, FdKind.TapWithVnetHdr), (4, FdKind.TapWithVnetHdr)));
        Assert.Equal(["fd=3", "fd=4"], c.Queues.Select(q => q.Info));
        Assert.All(c.Queues, q => Assert.True(q.VnetHdr));
    }

    [Fact(DisplayName = "D-25: fds= with 257 items → ours: error (QEMU: per-queue failures; >1024 silently ignored)")]
    public void FdsTooMany() =>
        Assert.Equal(OurMessages.FdsTooMany,
            Err(new ModelOptions { Fds = string.Join(':', Enumerable.Range(3, 257)) }).Message);

    [Fact(DisplayName = "X2/D-4: fds=3:99 → ours: Can't use 99, nothing registered, fd 3 closed (QEMU: error + queue 0 left, wrong return code)")]
    public void FdsSecondAbsent()
    {
        var e = Err(new ModelOptions { Fds = "3:99" }, Fds((3, FdKind.TapWithVnetHdr)));
        Assert.Equal("t0: Can't use file descriptor 99: Bad file descriptor", e.Message);
        Assert.Equal([3], e.TakenFds);
    }

    [Fact(DisplayName = "Ours: the same fd twice (fds=3:3) → error (QEMU: two owners, double close)")]
    public void DuplicateFds() => Assert.Equal(OurMessages.DuplicateFd(3), Err(new ModelOptions { Fds = "3:3" }).Message);

    // ---- O37 tap_open ------------------------------------------------------------------------------

    [Theory(DisplayName = "O37.6: TUNSETIFF failures name the requested interface")]
    [InlineData("lo", "could not configure /dev/net/tun (lo): Invalid argument")]
    [InlineData("a b", "could not configure /dev/net/tun (a b): Invalid argument")]
    [InlineData("specx0", "could not configure /dev/net/tun (specx0): Device or resource busy")]
    [InlineData("mqdev", "could not configure /dev/net/tun (mqdev): Invalid argument")]
    [InlineData("t%d%d", "could not configure /dev/net/tun (t%d%d): Invalid argument")]
    public void TunSetIffErrors(string ifname, string message)
    {
        var env = ModelEnv.Default
            .WithInterface("specx0", InterfaceKind.SingleQueueTapBusy, 1)
            .WithInterface("mqdev", InterfaceKind.MultiQueueTap, 2);
        var e = Err(B with { Ifname = ifname }, env);
        Assert.Equal(message, e.Message);
        Assert.Equal(FailurePhase.TapOpen, e.Phase);
    }

    [Fact(DisplayName = "O37.1: /dev/net/tun not openable → could not open /dev/net/tun: <err>")]
    public void TunOpenFails() =>
        Assert.Equal("could not open /dev/net/tun: Permission denied",
            Err(B, ModelEnv.Default with { TunOpenError = ModelErrno.EACCES }).Message);

    [Fact(DisplayName = "O37.4/5: vnet_hdr=on / queues>1 without kernel support")]
    public void KernelFeaturesMissing()
    {
        var env = ModelEnv.Default with { VnetHdrSupported = false, MultiqueueSupported = false };
        Assert.Equal(NetdevReferenceModel.VnetUnsupported, Err(B with { VnetHdr = true }, env).Message);
        Assert.Equal(NetdevReferenceModel.MultiqueueUnsupported, Err(B with { Queues = 2 }, env).Message);
        Assert.False(Ok(B, env).Queues[0].VnetHdr);
    }

    [Fact(DisplayName = "O37.7: tun_flags default 0x7002, vnet_hdr=off 0x3002, queues>1 0x7102")]
    public void TunFlags()
    {
        Assert.Equal(0x7002, Ok(B).Queues[0].TunFlags);
        Assert.Equal(0x3002, Ok(B with { VnetHdr = false }).Queues[0].TunFlags);
        Assert.All(Ok(B with { Queues = 2 }).Queues, q => Assert.Equal(0x7102, q.TunFlags));
    }

    [Fact(DisplayName = "linux-tun §1.2: template tap%d takes the lowest free index (tap1 while tap0 exists)")]
    public void TemplateName()
    {
        var c = Ok(B, ModelEnv.Default.WithInterface("tap0", InterfaceKind.SingleQueueTapBusy, 1));
        Assert.Equal("ifname=tap1,script=no,downscript=no", c.Queues[0].Info);
        Assert.Equal(["tap1"], c.CreatedInterfaces.ToArray());
    }

    [Fact(DisplayName = "linux-tun §1.2: new device without CAP_NET_ADMIN → EPERM; attaching to a free persistent tap works")]
    public void NoNetAdmin()
    {
        var env = (ModelEnv.Default with { HasNetAdmin = false }).WithInterface("persist0", InterfaceKind.SingleQueueTapFree);
        Assert.Equal("could not configure /dev/net/tun: Operation not permitted", Err(B, env).Message);
        var c = Ok(B with { Ifname = "persist0" }, env);
        Assert.Empty(c.CreatedInterfaces);
    }

    [Fact(DisplayName = "D-20: ifname of 16 bytes → ours: error (QEMU: silently truncated to 15)")]
    public void IfnameTooLong()
    {
        Assert.Equal(OurMessages.IfnameTooLong, Err(B with { Ifname = "abcdefghijklmnop" }).Message);
        Assert.Equal("ifname=abcdefghijklmno,script=no,downscript=no", Ok(B with { Ifname = "abcdefghijklmno" }).Queues[0].Info);
    }

    [Fact(DisplayName = "D-25: queues=300 → ours: range error before opening (QEMU: E2BIG at queue 257, 256 orphans)")]
    public void Queues300()
    {
        var e = Err(B with { Queues = 300 });
        Assert.Equal(OurMessages.QueuesRange, e.Message);
        Assert.Equal(FailurePhase.Options, e.Phase);
        Assert.Equal(256, Ok(B with { Queues = 256 }).Queues.Length);
    }

    [Fact(DisplayName = "D-5: attaching to a multiqueue tap with 255 queues, queues=2 → E2BIG on queue 1, nothing left")]
    public void MultiqueueFull()
    {
        var env = ModelEnv.Default.WithInterface("mq0", InterfaceKind.MultiQueueTap, 255);
        var e = Err(B with { Ifname = "mq0", Queues = 2 }, env);
        Assert.Equal("could not configure /dev/net/tun (mq0): Argument list too long", e.Message);
        Assert.Empty(e.ScriptRuns);
    }

    // ---- O34/O35/O36 -----------------------------------------------------------------------------------

    [Theory(DisplayName = "O35: sndbuf value given to the kernel")]
    [InlineData(null, 2147483647)]
    [InlineData("0", 2147483647)]
    [InlineData("1k", 1024)]
    [InlineData("1.5k", 1536)]
    [InlineData("0x10", 16)]
    [InlineData("3G", 2147483647)]
    [InlineData("2147483648", 2147483647)]
    public void Sndbuf(string? sndbuf, int expected)
    {
        var items = "tap,id=t0,script=no,downscript=no" + (sndbuf is null ? "" : $",sndbuf={sndbuf}");
        var c = Assert.IsType<ModelCreated>(Eval(items));
        Assert.Equal(expected, c.Queues[0].Sndbuf);
    }

    [Fact(DisplayName = "O35: TUNSETSNDBUF failure is an error only when sndbuf= was given")]
    public void SndbufFailure()
    {
        var env = ModelEnv.Default with { SndbufError = ModelErrno.EINVAL };
        Assert.Equal("TUNSETSNDBUF ioctl failed: Invalid argument", Err(B with { Sndbuf = 1024 }, env).Message);
        Ok(B, env);
    }

    [Fact(DisplayName = "O36: vhost=off,vhostforce=on → no vhost")]
    public void VhostOffForceOn() => Assert.False(Ok(B with { Vhost = false, Vhostforce = true }, VhostPresent).Queues[0].Vhost);

    [Fact(DisplayName = "O36: vhostforce=on alone → vhost (poll-us passed on)")]
    public void VhostforceAlone()
    {
        var q = Ok(B with { Vhostforce = true, PollUs = 50 }, VhostPresent).Queues[0];
        Assert.True(q.Vhost);
        Assert.Equal(50u, q.PollUs);
        Assert.Null(q.VhostFd);
    }

    [Fact(DisplayName = "O36: vhostfd= alone implies vhost")]
    public void VhostfdImpliesVhost()
    {
        var c = Ok(B with { Vhostfd = "7" }, ModelEnv.Default.WithFd(7, FdKind.VhostNet));
        Assert.True(c.Queues[0].Vhost);
        Assert.Equal(7, c.Queues[0].VhostFd);
        Assert.Equal([7], c.TakenFds);
    }

    [Fact(DisplayName = "X6/D-9: vhost=on,vhostfd=99 → ours names fd 99 (QEMU: 't0: Can't use file descriptor 3') and nothing is opened")]
    public void VhostfdAbsent()
    {
        var e = Err(B with { Vhost = true, Vhostfd = "99" });
        Assert.Equal("t0: Can't use file descriptor 99: Bad file descriptor", e.Message);
        Assert.Equal(FailurePhase.NamedFds, e.Phase);
    }

    [Fact(DisplayName = "O36: vhost init failure → vhost-net requested but could not be initialized; vhostfd closed (D-9)")]
    public void VhostInitFails()
    {
        var env = ModelEnv.Default.WithFd(3, FdKind.TapWithVnetHdr).WithFd(7, FdKind.VhostNet) with { VhostInitFailsAtQueue = 0 };
        var e = Err(new ModelOptions { Fd = "3", Vhostfd = "7" }, env);
        Assert.Equal(NetdevReferenceModel.VhostInitFailed, e.Message);
        Assert.Equal([3, 7], e.TakenFds);
    }

    [Fact(DisplayName = "D-26: vhostfd= with queues=2 → ours: error (QEMU: same vhost fd reused, EBUSY)")]
    public void VhostfdWithQueues() =>
        Assert.Equal(OurMessages.VhostfdWithQueues, Err(B with { Queues = 2, Vhostfd = "7" }).Message);

    [Fact(DisplayName = "O34.5/S7: up script, then vhost failure, then down script (verified)")]
    public void UpThenVhostFailThenDown()
    {
        var env = ModelEnv.Default.WithScript("/up", ScriptBehaviour.Succeeds).WithScript("/down", ScriptBehaviour.Succeeds);
        var e = Err(new ModelOptions { Script = "/up", Downscript = "/down", Vhost = true }, env);
        Assert.Equal("tap: open vhost char device failed: No such file or directory", e.Message);
        Assert.Equal(
            [new ScriptRun(ScriptRole.Setup, ["/up", "tap0"]), new ScriptRun(ScriptRole.Down, ["/down", "tap0"])],
            e.ScriptRuns, ScriptRunComparer.Instance);
    }

    [Fact(DisplayName = "D-30: TUNSETSNDBUF failure after the up script → ours runs the down script once (QEMU: not recorded yet, skipped)")]
    public void SndbufFailureRunsDown()
    {
        var env = ModelEnv.Default with { SndbufError = ModelErrno.EINVAL };
        var e = Err(new ModelOptions { Sndbuf = 1024 }, env);
        Assert.Equal(
            [new ScriptRun(ScriptRole.Setup, [ModelEnv.DefaultScript, "tap0"]), new ScriptRun(ScriptRole.Down, [ModelEnv.DefaultDownscript, "tap0"])],
            e.ScriptRuns, ScriptRunComparer.Instance);
    }

    [Fact(DisplayName = "S9/D-23: queues=2 → both queues attached, one up script; queue 1 shows script=no,downscript=no; one down on teardown")]
    public void TwoQueues()
    {
        var env = ModelEnv.Default.WithScript("/up", ScriptBehaviour.Succeeds);
        var c = Ok(new ModelOptions { Queues = 2, Script = "/up", Downscript = "/down" }, env);
        Assert.Equal(["ifname=tap0,script=/up,downscript=/down", "ifname=tap0,script=no,downscript=no"], c.Queues.Select(q => q.Info));
        Assert.Equal([new ScriptRun(ScriptRole.Setup, ["/up", "tap0"])], c.ScriptRuns, ScriptRunComparer.Instance);
        Assert.Equal(["/down", "tap0"], c.DownScriptOnTeardown!.Argv.ToArray());
    }

    [Fact(DisplayName = "D-5/D-30: queues=2, vhost init fails at queue 1 → one down script, nothing left (QEMU: double close)")]
    public void SecondQueueVhostFails()
    {
        var env = VhostPresent with { VhostInitFailsAtQueue = 1 };
        var e = Err(new ModelOptions { Queues = 2, Vhost = true }, env);
        Assert.Equal(NetdevReferenceModel.VhostInitFailed, e.Message);
        Assert.Equal([ScriptRole.Setup, ScriptRole.Down], e.ScriptRuns.Select(s => s.Role));
    }

    [Fact(DisplayName = "O34.3: default scripts expanded in the info string; empty downscript recorded but never run")]
    public void DefaultScripts()
    {
        var c = Ok(new ModelOptions());
        Assert.Equal("ifname=tap0,script=/etc/qemu-ifup,downscript=/etc/qemu-ifdown", c.Queues[0].Info);
        Assert.Equal([new ScriptRun(ScriptRole.Setup, [ModelEnv.DefaultScript, "tap0"])], c.ScriptRuns, ScriptRunComparer.Instance);
        var empty = Ok(new ModelOptions { Script = "", Downscript = "" });
        Assert.Equal("ifname=tap0,script=,downscript=", empty.Queues[0].Info);
        Assert.Empty(empty.ScriptRuns);
        Assert.Null(empty.DownScriptOnTeardown);
    }

    [Fact(DisplayName = "netdev-options §7: info strings ifname=tap0,script=no,downscript=no / fd=3")]
    public void InfoStrings()
    {
        Assert.Equal("ifname=tap0,script=no,downscript=no", Ok(B).Queues[0].Info);
        Assert.Equal("fd=3", Ok(new ModelOptions { Fd = "3" }, Fds((3, FdKind.TapWithoutVnetHdr))).Queues[0].Info);
    }

    [Fact(DisplayName = "D: vhostfds= without fds= → vhostfds= is invalid if fds= wasn't specified")]
    public void VhostfdsWithoutFds() => Assert.Equal(NetdevReferenceModel.VhostfdsWithoutFds, Err(B with { Vhostfds = "7" }).Message);

    [Fact(DisplayName = "B/C: combination messages for fds= and helper=")]
    public void Combinations()
    {
        Assert.Equal(NetdevReferenceModel.ComboFds, Err(new ModelOptions { Fds = "3", Vhostfd = "7" }).Message);
        Assert.Equal(NetdevReferenceModel.ComboHelper, Err(new ModelOptions { Helper = "/h", Vhostfds = "7" }).Message);
        Assert.Equal(NetdevReferenceModel.ComboFd, Err(new ModelOptions { Fd = "", Fds = "3" }).Message);
    }

    [Fact(DisplayName = "B: fds=3:4,vhostfds=7:8 → two vhost queues, all four fds owned")]
    public void FdsWithVhostfds()
    {
        var env = Fds((3, FdKind.TapWithVnetHdr), (4, FdKind.TapWithVnetHdr), (7, FdKind.VhostNet), (8, FdKind.VhostNet));
        var c = Ok(new ModelOptions { Fds = "3:4", Vhostfds = "7:8" }, env);
        Assert.Equal([7, 8], c.Queues.Select(q => q.VhostFd!.Value));
        Assert.Equal([3, 4, 7, 8], c.TakenFds);
    }

    // ---- B5/B9 helper ------------------------------------------------------------------------------------

    private static readonly ModelEnv HelperEnv = ModelEnv.Default.WithBusyFdsThrough(6)
        .WithHelper("/path/to/helper.py", new HelperBehaviour(HelperAction.SendsTapFd, 0));

    private static ModelEnv HelperDoes(HelperAction action, int exit) =>
        HelperEnv.WithHelper("/path/to/helper.py", new HelperBehaviour(action, exit));

    [Fact(DisplayName = "B9: helper exits 1 without sending → bridge helper failed")]
    public void HelperExit1() =>
        Assert.Equal("bridge helper failed (exit code 1)",
            Err(new ModelOptions { Helper = "/path/to/helper.py" }, HelperDoes(HelperAction.ClosesWithoutSending, 1)).Message);

    [Fact(DisplayName = "B9/D-8: helper exits 0 without sending → ours: did not send a fd (QEMU: uses and closes fd 0, TUNGETIFF on FD 0 error)")]
    public void HelperEof()
    {
        var e = Err(new ModelOptions { Helper = "/path/to/helper.py" }, HelperDoes(HelperAction.ClosesWithoutSending, 0));
        Assert.Equal(OurMessages.HelperSentNoFd, e.Message);
        Assert.Empty(e.TakenFds);
        Assert.Null(e.HelperFd);
    }

    [Fact(DisplayName = "B9/D-8: helper sends a byte without fd, exits 0 → ours: did not send a fd (QEMU: failed to recv file descriptor: stale errno)")]
    public void HelperDataNoFd() =>
        Assert.Equal(OurMessages.HelperSentNoFd,
            Err(new ModelOptions { Kind = NetdevKind.Bridge, Helper = "/path/to/helper.py" }, HelperDoes(HelperAction.SendsDataWithoutFd, 0)).Message);

    [Fact(DisplayName = "B9/D-7: helper sends a tap fd, exits 1 → bridge helper failed; ours closes the received fd (QEMU leaks it)")]
    public void HelperSendsThenFails()
    {
        var e = Err(new ModelOptions { Helper = "/path/to/helper.py" }, HelperDoes(HelperAction.SendsTapFd, 1));
        Assert.Equal("bridge helper failed (exit code 1)", e.Message);
        Assert.Equal(8, e.HelperFd);
    }

    [Fact(DisplayName = "B9: helper sends a /dev/null fd, exits 0 → Unable to query TUNGETIFF on FD 8")]
    public void HelperSendsNull()
    {
        var e = Err(new ModelOptions { Kind = NetdevKind.Bridge, Helper = "/path/to/helper.py" }, HelperDoes(HelperAction.SendsNonTapFd, 0));
        Assert.Equal("Unable to query TUNGETIFF on FD 8: Inappropriate ioctl for device", e.Message);
        Assert.Equal(8, e.HelperFd);
    }

    [Fact(DisplayName = "B9: helper sends a tap fd, exits 0 → created; info helper=<text> (tap) / helper=<text>,br=<br> / helper=(null),br=<br> (bridge)")]
    public void HelperSuccess()
    {
        var tap = Ok(new ModelOptions { Helper = "/path/to/helper.py send-tap" }, HelperEnv);
        Assert.Equal("bridge", tap.Queues[0].Model);
        Assert.Equal("helper=/path/to/helper.py send-tap", tap.Queues[0].Info);
        Assert.Equal(2147483647, tap.Queues[0].Sndbuf);

        var bridge = Ok(new ModelOptions { Kind = NetdevKind.Bridge, Id = "b0", Helper = "/path/to/helper.py", Br = "specbr0" }, HelperEnv);
        Assert.Equal("helper=/path/to/helper.py,br=specbr0", bridge.Queues[0].Info);
        Assert.Null(bridge.Queues[0].Sndbuf);

        var env = ModelEnv.Default.WithHelper(ModelEnv.DefaultHelper, new HelperBehaviour(HelperAction.SendsTapFdWithoutVnetHdr, 0));
        var dflt = Ok(new ModelOptions { Kind = NetdevKind.Bridge, Id = "b0", Br = "specbr0" }, env);
        Assert.Equal("helper=(null),br=specbr0", dflt.Queues[0].Info);
        Assert.False(dflt.Queues[0].VnetHdr);
    }

    [Theory(DisplayName = "B5: helper argv (path mode, command mode split into words, --br= already present)")]
    [InlineData("/path/to/helper.py", null, "/path/to/helper.py|--use-vnet|--fd=8|--br=br0")]
    [InlineData("/path/to/helper.py send-tap", null, "/path/to/helper.py|send-tap|--use-vnet|--fd=8|--br=br0")]
    [InlineData("/path/to/helper.py send-tap --br=xx", "specbr0", "/path/to/helper.py|send-tap|--br=xx|--use-vnet|--fd=8")]
    [InlineData("/path/to/helper.py\t a  b", "specbr0", "/path/to/helper.py|a|b|--use-vnet|--fd=8|--br=specbr0")]
    public void HelperArgv(string helper, string? br, string argv)
    {
        var c = Ok(new ModelOptions { Helper = helper, Br = br }, HelperEnv);
        Assert.Equal(argv.Split("|"), c.HelperArgv!.Value.ToArray());
        Assert.Equal(8, c.Queues[0].Fd);
    }

    [Theory(DisplayName = "D-19: invalid bridge names rejected before the helper runs (QEMU: passed to sh -c unquoted)")]
    [InlineData("x;echo INJECTED")]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("a:b")]
    [InlineData("sixteen-chars-xx")]
    [InlineData("c\u0001")]
    public void BadBridgeNames(string br)
    {
        var e = Err(new ModelOptions { Helper = "/path/to/helper.py send-tap", Br = br }, HelperEnv);
        Assert.Equal(OurMessages.BridgeNameInvalid, e.Message);
        Assert.Null(e.HelperArgv);
    }

    [Theory(DisplayName = "Ours: empty or blank helper= → error (QEMU: bridge helper failed / sh runs the flags)")]
    [InlineData("")]
    [InlineData(" \t")]
    public void EmptyHelper(string helper)
    {
        Assert.Equal(OurMessages.HelperEmpty, Err(new ModelOptions { Helper = helper }).Message);
        Assert.Equal(OurMessages.HelperEmpty, Err(new ModelOptions { Kind = NetdevKind.Bridge, Helper = helper }).Message);
    }

    [Fact(DisplayName = "B4/C: helper program that cannot be executed → bridge helper failed")]
    public void HelperMissing() =>
        Assert.Equal("bridge helper failed (could not be run: No such file or directory)", Err(new ModelOptions { Helper = "/no/such" }, HelperEnv).Message);

    [Fact(DisplayName = "DeliberateDifferences: every entry is filled in and has a rule")]
    public void DifferencesTable()
    {
        Assert.True(DeliberateDifferences.All.Length >= 20);
        Assert.All(DeliberateDifferences.All, d =>
        {
            Assert.False(string.IsNullOrWhiteSpace(d.Rule));
            Assert.False(string.IsNullOrWhiteSpace(d.Qemu));
            Assert.False(string.IsNullOrWhiteSpace(d.Ours));
        });
    }
}

internal sealed class ScriptRunComparer : IEqualityComparer<ScriptRun>
{
    public static ScriptRunComparer Instance { get; } = new();

    public bool Equals(ScriptRun? x, ScriptRun? y) =>
        x is not null && y is not null && x.Role == y.Role && x.Argv.SequenceEqual(y.Argv);

    public int GetHashCode(ScriptRun obj) => HashCode.Combine(obj.Role, obj.Argv.Length);
}
