using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Tap.Tests.Model;

/// <summary>
/// Independent reference model of <c>-netdev tap</c> / <c>-netdev bridge</c> creation
/// (netdev-options.md O30-O37 and netdev-options §5, helpers-and-scripts.md §1-2, linux-tun.md §1/§3,
/// vhost-net.md §2), written as a decision procedure from the spec only. Where QEMU
/// leaks, aborts, double-closes, truncates or guesses, the model gives OUR intended
/// behaviour; every such place is listed in <see cref="DeliberateDifferences.All"/>.
///
/// Decision table (first failing row wins; phases in <see cref="FailurePhase"/>):
/// <code>
/// tap:   hub peer and (queues|fds|vhostfds)          → "Multiqueue tap cannot be used with hubs"
///        fd= given (even empty)                       → branch A
///        fds= given                                   → branch B
///        helper= given                                → branch C
///        otherwise                                    → branch D
/// A: combination → vhostfd without vhost → fd/vhostfd syntax → duplicates → take fds →
///    tap fd non-blocking ("&lt;id&gt;: Can't use file descriptor n: err") → TUNGETIFF probe →
///    vhostfd non-blocking (names the vhost fd) → queue setup (model tap, info fd=n)
/// B: combination → fds count (0 / &gt;256) → vhostfds count mismatch → vhostfds without vhost →
///    syntax of every item → duplicates → take all → every tap fd non-blocking + probe (item 0: probe
///    message; items ≥1: "vnet_hdr not consistent across given tap fds") → every vhostfd non-blocking →
///    queue setup per item (model tap, info fd=n)
/// C: combination → empty helper → bridge name → vhostfd without vhost → vhostfd syntax → take →
///    vhostfd non-blocking → helper (B-rules, no shell) → probe received fd → queue setup (model bridge,
///    info helper=text)
/// D: vhostfds → queues 1..256 → vhostfd with queues&gt;1 → ifname ≤ 15 bytes → vhostfd without vhost →
///    vhostfd syntax → take → vhostfd non-blocking → open ALL queues (O37) → setup script once →
///    queue setup per queue (model tap; queue 0 info with real scripts, others script=no,downscript=no);
///    a queue-setup failure runs the down script once.
/// queue setup (O34/O35/O36): TUNSETSNDBUF (error only if sndbuf= given) → vhost if
///    (vhost ?? (vhostfd for this queue || vhostforce)): vhostfd or open /dev/vhost-net, then init.
/// bridge: empty helper → bridge name → helper → probe → queue (model bridge, info helper=&lt;text|(null)&gt;,br=&lt;br&gt;;
///    no sndbuf, no vhost, no scripts).
/// </code>
/// Any failure: nothing registered; every taken, opened or received fd closed exactly once; created
/// devices gone.
/// Helper fd numbering: the socketpair gets the two lowest free numbers (a, b); the child's end b is
/// passed as <c>--fd=b</c> and, after the parent closes b, the received fd gets number b again.
/// </summary>
public static class NetdevReferenceModel
{
    public const string ComboFd =
        "ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, fds=, and vhostfds= are invalid with fd=";
    public const string ComboFds =
        "ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, and vhostfd= are invalid with fds=";
    public const string ComboHelper =
        "ifname=, script=, downscript=, vnet_hdr=, queues=, and vhostfds= are invalid with helper=";
    public const string VhostfdsWithoutFds = "vhostfds= is invalid if fds= wasn't specified";
    public const string HubMultiqueue = "Multiqueue tap cannot be used with hubs";
    public const string FdsVhostfdsMismatch = "The number of fds passed does not match the number of vhostfds passed";
    public const string VnetInconsistent = "vnet_hdr not consistent across given tap fds";
    public const string VhostfdWithoutVhost = "vhostfd(s)= is not valid without vhost";
    public const string VhostInitFailed = "vhost-net requested but could not be initialized";
    public const string HelperFailed = "bridge helper failed";
    public const string VnetUnsupported = "vnet_hdr=1 requested, but no kernel support for IFF_VNET_HDR available";
    public const string MultiqueueUnsupported = "multiqueue required, but no kernel support for IFF_MULTI_QUEUE available";
    public const int MaxQueues = 256;
    public const int IntMax = int.MaxValue;

    public static ModelOutcome Evaluate(IReadOnlyList<KeyValuePair<string, string>> items, ModelEnv env) =>
        Evaluate(ModelOptions.FromItems(items), env);

    public static ModelOutcome Evaluate(ModelOptions options, ModelEnv env)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(env);
        var run = new Run(options, env);
        return options.Kind == NetdevKind.Bridge ? run.Bridge() : run.Tap();
    }

    /// <summary>O32 splitting (without the 1024 cap: counts are validated by the caller).</summary>
    public static ImmutableArray<string> SplitFds(string text)
    {
        var items = ImmutableArray.CreateBuilder<string>();
        var pos = 0;
        while (pos < text.Length)
        {
            var colon = text.IndexOf(':', pos);
            if (colon < 0)
            {
                items.Add(text[pos..]);
                break;
            }

            items.Add(text[pos..colon]);
            pos = colon + 1;
        }

        return items.ToImmutable();
    }

    /// <summary>O33 numeric form: C strtol base 10, whole text, 0..INT_MAX.</summary>
    public static bool TryParseFdNumber(string text, out int fd)
    {
        fd = -1;
        var i = 0;
        while (i < text.Length && IsCSpace(text[i]))
        {
            i++;
        }

        var negative = false;
        if (i < text.Length && (text[i] == '+' || text[i] == '-'))
        {
            negative = text[i] == '-';
            i++;
        }

        var start = i;
        long value = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            value = Math.Min(value * 10 + (text[i] - '0'), (long)int.MaxValue + 1);
            i++;
        }

        if (i == start || i != text.Length)
        {
            return false;
        }

        if (negative)
        {
            value = -value;
        }

        if (value < 0 || value > int.MaxValue)
        {
            return false;
        }

        fd = (int)value;
        return true;
    }

    /// <summary>D-19 rule for bridge names.</summary>
    public static bool IsValidBridgeName(string name) =>
        name.Length > 0
        && Encoding.UTF8.GetByteCount(name) <= 15
        && !name.Any(c => c == '/' || c == ':' || char.IsWhiteSpace(c) || char.IsControl(c));

    /// <summary>Splits a helper text into argv words on spaces and tabs (our replacement for <c>sh -c</c>).</summary>
    public static ImmutableArray<string> HelperWords(string helper) =>
        [.. helper.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)];

    internal static bool IsCSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    /// <summary>QEMU stores info strings in 256 bytes: at most 255 bytes, cut at a character boundary.</summary>
    internal static string Truncate255(string s)
    {
        if (Encoding.UTF8.GetByteCount(s) <= 255)
        {
            return s;
        }

        var sb = new StringBuilder();
        var bytes = 0;
        foreach (var rune in s.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > 255)
            {
                break;
            }

            bytes += rune.Utf8SequenceLength;
            sb.Append(rune.ToString());
        }

        return sb.ToString();
    }

    private readonly record struct FdRef(string Text, bool IsName, int Number);

    private sealed class Run(ModelOptions o, ModelEnv env)
    {
        private readonly List<ScriptRun> _scripts = [];
        private readonly SortedSet<int> _taken = [];
        private readonly HashSet<string> _consumedNames = [];
        private readonly Dictionary<string, ExistingInterface> _ifaces = new(env.Interfaces);
        private ImmutableArray<string>? _helperArgv;
        private int? _helperFd;

        public ModelOutcome Tap()
        {
            if (o.HubPeer && (o.Queues is not null || o.Fds is not null || o.Vhostfds is not null))
            {
                return Fail(FailurePhase.Options, HubMultiqueue);
            }

            if (o.Fd is not null)
            {
                return BranchFd(o.Fd);
            }

            if (o.Fds is not null)
            {
                return BranchFds(o.Fds);
            }

            return o.Helper is not null ? BranchHelper(o.Helper) : BranchDefault();
        }

        public ModelOutcome Bridge()
        {
            var helper = o.Helper ?? ModelEnv.DefaultHelper;
            var br = o.Br ?? ModelEnv.DefaultBridge;
            if (CheckHelperAndBridge(helper, br) is { } optionError)
            {
                return Fail(FailurePhase.Options, optionError);
            }

            var (helperFd, helperError, helperPhase) = RunHelper(helper, br);
            if (helperError is not null)
            {
                return Fail(helperPhase, helperError);
            }

            var queue = new ModelQueue
            {
                Model = "bridge",
                VnetHdr = HelperVnet(),
                Info = Truncate255($"helper={o.Helper ?? "(null)"},br={br}"),
                Fd = helperFd,
            };
            return Created([queue]);
        }

        // ---- branch A ------------------------------------------------------------------------
        private ModelOutcome BranchFd(string fdText)
        {
            if (o.Ifname is not null || o.Script is not null || o.Downscript is not null || o.VnetHdr is not null
                || o.Helper is not null || o.Queues is not null || o.Fds is not null || o.Vhostfds is not null)
            {
                return Fail(FailurePhase.Options, ComboFd);
            }

            if (IsVhostfdWithoutVhost(o.Vhostfd is not null))
            {
                return Fail(FailurePhase.Options, VhostfdWithoutVhost);
            }

            if (ParseAll([fdText], o.Vhostfd is null ? [] : [o.Vhostfd], out var tapRefs, out var vhostRefs) is { } syntaxError)
            {
                return Fail(FailurePhase.Options, syntaxError);
            }

            if (TakeAndCheck(tapRefs, vhostRefs, out var tapFds, out var vnet, out var vhostFds) is { } fdError)
            {
                return Fail(FailurePhase.NamedFds, fdError);
            }

            var (queue, error) = SetupQueue(0, "tap", vnet, $"fd={tapFds[0]}", null, tapFds[0], FirstOrNull(vhostFds), null);
            return error is not null ? Fail(FailurePhase.QueueSetup, error) : Created([queue!]);
        }

        // ---- branch B ------------------------------------------------------------------------
        private ModelOutcome BranchFds(string fdsText)
        {
            if (o.Ifname is not null || o.Script is not null || o.Downscript is not null || o.VnetHdr is not null
                || o.Helper is not null || o.Queues is not null || o.Vhostfd is not null)
            {
                return Fail(FailurePhase.Options, ComboFds);
            }

            var items = SplitFds(fdsText);
            if (items.Length == 0)
            {
                return Fail(FailurePhase.Options, OurMessages.FdsEmpty);
            }

            if (items.Length > MaxQueues)
            {
                return Fail(FailurePhase.Options, OurMessages.FdsTooMany);
            }

            var vhostItems = o.Vhostfds is null ? [] : SplitFds(o.Vhostfds);
            if (o.Vhostfds is not null && vhostItems.Length != items.Length)
            {
                return Fail(FailurePhase.Options, FdsVhostfdsMismatch);
            }

            if (IsVhostfdWithoutVhost(o.Vhostfds is not null))
            {
                return Fail(FailurePhase.Options, VhostfdWithoutVhost);
            }

            if (ParseAll(items, vhostItems, out var tapRefs, out var vhostRefs) is { } syntaxError)
            {
                return Fail(FailurePhase.Options, syntaxError);
            }

            if (TakeAndCheck(tapRefs, vhostRefs, out var tapFds, out var vnet, out var vhostFds) is { } fdError)
            {
                return Fail(FailurePhase.NamedFds, fdError);
            }

            var queues = ImmutableArray.CreateBuilder<ModelQueue>();
            for (var i = 0; i < tapFds.Length; i++)
            {
                int? vhostFd = vhostFds.Length > 0 ? vhostFds[i] : null;
                var (queue, error) = SetupQueue(i, "tap", vnet, $"fd={tapFds[i]}", null, tapFds[i], vhostFd, null);
                if (error is not null)
                {
                    return Fail(FailurePhase.QueueSetup, error);
                }

                queues.Add(queue!);
            }

            return Created(queues.ToImmutable());
        }

        // ---- branch C ------------------------------------------------------------------------
        private ModelOutcome BranchHelper(string helper)
        {
            if (o.Ifname is not null || o.Script is not null || o.Downscript is not null || o.VnetHdr is not null
                || o.Queues is not null || o.Vhostfds is not null)
            {
                return Fail(FailurePhase.Options, ComboHelper);
            }

            var br = o.Br ?? ModelEnv.DefaultBridge;
            if (CheckHelperAndBridge(helper, br) is { } optionError)
            {
                return Fail(FailurePhase.Options, optionError);
            }

            if (IsVhostfdWithoutVhost(o.Vhostfd is not null))
            {
                return Fail(FailurePhase.Options, VhostfdWithoutVhost);
            }

            if (ParseAll([], o.Vhostfd is null ? [] : [o.Vhostfd], out _, out var vhostRefs) is { } syntaxError)
            {
                return Fail(FailurePhase.Options, syntaxError);
            }

            if (TakeAndCheck([], vhostRefs, out _, out _, out var vhostFds) is { } fdError)
            {
                return Fail(FailurePhase.NamedFds, fdError);
            }

            var (helperFd, helperError, helperPhase) = RunHelper(helper, br);
            if (helperError is not null)
            {
                return Fail(helperPhase, helperError);
            }

            var (queue, error) = SetupQueue(0, "bridge", HelperVnet(), $"helper={helper}", null, helperFd, FirstOrNull(vhostFds), null);
            return error is not null ? Fail(FailurePhase.QueueSetup, error) : Created([queue!]);
        }

        // ---- branch D ------------------------------------------------------------------------
        private ModelOutcome BranchDefault()
        {
            if (o.Vhostfds is not null)
            {
                return Fail(FailurePhase.Options, VhostfdsWithoutFds);
            }

            var queues = o.Queues ?? 1u;
            if (queues is 0 or > MaxQueues)
            {
                return Fail(FailurePhase.Options, OurMessages.QueuesRange);
            }

            if (o.Vhostfd is not null && queues > 1)
            {
                return Fail(FailurePhase.Options, OurMessages.VhostfdWithQueues);
            }

            if (o.Ifname is not null && Encoding.UTF8.GetByteCount(o.Ifname) > 15)
            {
                return Fail(FailurePhase.Options, OurMessages.IfnameTooLong);
            }

            if (IsVhostfdWithoutVhost(o.Vhostfd is not null))
            {
                return Fail(FailurePhase.Options, VhostfdWithoutVhost);
            }

            if (ParseAll([], o.Vhostfd is null ? [] : [o.Vhostfd], out _, out var vhostRefs) is { } syntaxError)
            {
                return Fail(FailurePhase.Options, syntaxError);
            }

            if (TakeAndCheck([], vhostRefs, out _, out _, out var vhostFds) is { } fdError)
            {
                return Fail(FailurePhase.NamedFds, fdError);
            }

            var script = o.Script ?? ModelEnv.DefaultScript;
            var downscript = o.Downscript ?? ModelEnv.DefaultDownscript;

            // Open every queue first (D-23). Name of queue 0 is reused by later queues.
            var vnetRequested = o.VnetHdr ?? true;
            var vnetRequired = o.VnetHdr == true;
            var multiqueue = queues > 1;
            var name = o.Ifname ?? "";
            var vnet = false;
            var flags = 0;
            var createdInterface = false;
            for (var i = 0; i < queues; i++)
            {
                var (actual, queueVnet, queueFlags, created, openError) = OpenTap(name, vnetRequested, vnetRequired, multiqueue);
                if (openError is not null)
                {
                    return Fail(FailurePhase.TapOpen, openError);
                }

                if (i == 0)
                {
                    name = actual;
                    vnet = queueVnet;
                    flags = queueFlags;
                    createdInterface = created;
                }
            }

            if (script.Length > 0 && script != "no")
            {
                _scripts.Add(new ScriptRun(ScriptRole.Setup, [script, name]));
                var status = env.Scripts.GetValueOrDefault(script) ?? ScriptBehaviour.Missing;
                if (!status.Ok)
                {
                    return Fail(FailurePhase.Script,
                        string.Create(CultureInfo.InvariantCulture, $"network script {script} failed with status {status.WaitStatus} ({status.Cause})"));
                }
            }

            var downRun = downscript.Length > 0 && downscript != "no"
                ? new ScriptRun(ScriptRole.Down, [downscript, name])
                : null;

            var built = ImmutableArray.CreateBuilder<ModelQueue>();
            for (var i = 0; i < queues; i++)
            {
                var info = i == 0
                    ? $"ifname={name},script={script},downscript={downscript}"
                    : $"ifname={name},script=no,downscript=no";
                var (queue, error) = SetupQueue(i, "tap", vnet, info, name, null, FirstOrNull(vhostFds), flags);
                if (error is not null)
                {
                    if (downRun is not null)
                    {
                        _scripts.Add(downRun);
                    }

                    return Fail(FailurePhase.QueueSetup, error);
                }

                built.Add(queue!);
            }

            return Created(built.ToImmutable()) with
            {
                CreatedInterfaces = createdInterface ? [name] : [],
                DownScriptOnTeardown = downRun,
            };
        }

        // ---- shared steps ----------------------------------------------------------------------
        private bool IsVhostfdWithoutVhost(bool hasVhostFd) => hasVhostFd && o.Vhost == false;

        private bool VhostWanted(bool hasVhostFd) => o.Vhost ?? (hasVhostFd || o.Vhostforce == true);

        private static string? CheckHelperAndBridge(string helper, string br)
        {
            if (helper.Trim(' ', '\t').Length == 0)
            {
                return OurMessages.HelperEmpty;
            }

            return IsValidBridgeName(br) ? null : OurMessages.BridgeNameInvalid;
        }

        private FdRef? ParseOne(string text, out string? error)
        {
            error = null;
            if (o.FromMonitor && (text.Length == 0 || !char.IsAsciiDigit(text[0])))
            {
                return new FdRef(text, true, -1);
            }

            if (TryParseFdNumber(text, out var n))
            {
                return new FdRef(text, false, n);
            }

            error = $"Invalid file descriptor number '{text}'";
            return null;
        }

        private string? ParseAll(
            IReadOnlyList<string> tapTexts,
            IReadOnlyList<string> vhostTexts,
            out List<FdRef> tapRefs,
            out List<FdRef> vhostRefs)
        {
            tapRefs = [];
            vhostRefs = [];
            foreach (var (texts, refs) in new[] { (tapTexts, tapRefs), (vhostTexts, vhostRefs) })
            {
                foreach (var text in texts)
                {
                    var r = ParseOne(text, out var error);
                    if (r is null)
                    {
                        return error;
                    }

                    refs.Add(r.Value);
                }
            }

            var seen = new HashSet<int>();
            foreach (var r in tapRefs.Concat(vhostRefs).Where(r => !r.IsName))
            {
                if (!seen.Add(r.Number))
                {
                    return OurMessages.DuplicateFd(r.Number);
                }
            }

            return null;
        }

        /// <summary>Takes every named fd (tap fds, then vhost fds), then checks them all before anything is created.</summary>
        private string? TakeAndCheck(
            List<FdRef> tapRefs,
            List<FdRef> vhostRefs,
            out ImmutableArray<int> tapFds,
            out bool vnet,
            out ImmutableArray<int> vhostFds)
        {
            tapFds = [];
            vhostFds = [];
            vnet = false;
            var resolved = new List<int>();
            foreach (var r in tapRefs.Concat(vhostRefs))
            {
                var n = r.Number;
                if (r.IsName)
                {
                    if (_consumedNames.Contains(r.Text) || !env.MonitorFds.TryGetValue(r.Text, out n))
                    {
                        return $"File descriptor named '{r.Text}' has not been found";
                    }

                    _consumedNames.Add(r.Text);
                }

                if (env.Fds.ContainsKey(n))
                {
                    _taken.Add(n);
                }

                resolved.Add(n);
            }

            tapFds = [.. resolved.Take(tapRefs.Count)];
            vhostFds = [.. resolved.Skip(tapRefs.Count)];

            for (var i = 0; i < tapFds.Length; i++)
            {
                var fd = tapFds[i];
                if (!env.Fds.TryGetValue(fd, out var kind))
                {
                    return CantUse(fd, ModelErrno.EBADF);
                }

                var (probeVnet, probeError) = Probe(kind);
                if (i == 0)
                {
                    if (probeError is { } err)
                    {
                        return ProbeMessage(fd, err);
                    }

                    vnet = probeVnet;
                }
                else if (probeError is not null || probeVnet != vnet)
                {
                    return VnetInconsistent;
                }
            }

            foreach (var fd in vhostFds)
            {
                if (!env.Fds.ContainsKey(fd))
                {
                    return CantUse(fd, ModelErrno.EBADF);
                }
            }

            return null;
        }

        private string CantUse(int fd, ModelErrno errno) =>
            string.Create(CultureInfo.InvariantCulture, $"{o.Id}: Can't use file descriptor {fd}: {errno.Text()}");

        private static string ProbeMessage(int fd, ModelErrno errno) =>
            string.Create(CultureInfo.InvariantCulture, $"Unable to query TUNGETIFF on FD {fd}: {errno.Text()}");

        private static (bool Vnet, ModelErrno? Error) Probe(FdKind kind) => kind switch
        {
            FdKind.TapWithVnetHdr => (true, null),
            FdKind.TapWithoutVnetHdr => (false, null),
            FdKind.UnattachedTun => (false, ModelErrno.EBADFD),
            _ => (false, ModelErrno.ENOTTY),
        };

        private HelperBehaviour? _helperBehaviour;

        private bool HelperVnet() => _helperBehaviour?.Action == HelperAction.SendsTapFd;

        /// <summary>B-rules with our fixes: no shell, no fd 0 on EOF, received fd closed on failure.</summary>
        private (int Fd, string? Error, FailurePhase Phase) RunHelper(string helper, string br)
        {
            var words = HelperWords(helper);
            var commandMode = helper.Contains(' ', StringComparison.Ordinal) || helper.Contains('\t', StringComparison.Ordinal);
            var a = LowestFree(-1);
            var b = LowestFree(a);
            var argv = words.Add("--use-vnet").Add(string.Create(CultureInfo.InvariantCulture, $"--fd={b}"));
            if (!(commandMode && helper.Contains("--br=", StringComparison.Ordinal)))
            {
                argv = argv.Add($"--br={br}");
            }

            _helperArgv = argv;
            var behaviour = env.Helpers.GetValueOrDefault(words[0]) ?? new HelperBehaviour(HelperAction.ClosesWithoutSending, 1, NotRunnable: true);
            _helperBehaviour = behaviour;
            var sendsFd = behaviour.Action is HelperAction.SendsTapFd or HelperAction.SendsTapFdWithoutVnetHdr or HelperAction.SendsNonTapFd;
            if (sendsFd)
            {
                _helperFd = b;
            }

            if (behaviour.ExitCode != 0)
            {
                return (-1, $"{HelperFailed} ({behaviour.Cause})", FailurePhase.Helper);
            }

            if (!sendsFd)
            {
                return (-1, OurMessages.HelperSentNoFd, FailurePhase.Helper);
            }

            if (behaviour.Action == HelperAction.SendsNonTapFd)
            {
                return (-1, ProbeMessage(b, ModelErrno.ENOTTY), FailurePhase.HelperFd);
            }

            return (b, null, FailurePhase.Helper);
        }

        private int LowestFree(int alsoUsed)
        {
            var n = 0;
            while (env.Fds.ContainsKey(n) || n == alsoUsed)
            {
                n++;
            }

            return n;
        }

        /// <summary>O37 tap_open + kernel tun_set_iff (linux-tun.md §1.2).</summary>
        private (string Name, bool Vnet, int Flags, bool Created, string? Error) OpenTap(
            string requested, bool vnetRequested, bool vnetRequired, bool multiqueue)
        {
            if (env.TunOpenError is { } openErr)
            {
                return ("", false, 0, false, $"could not open /dev/net/tun: {openErr.Text()}");
            }

            var flags = 0x1002 | 0x2000;
            var vnet = vnetRequested && env.VnetHdrSupported;
            if (vnetRequested && !env.VnetHdrSupported && vnetRequired)
            {
                return ("", false, 0, false, VnetUnsupported);
            }

            if (vnet)
            {
                flags |= 0x4000;
            }

            if (multiqueue)
            {
                if (!env.MultiqueueSupported)
                {
                    return ("", false, 0, false, MultiqueueUnsupported);
                }

                flags |= 0x0100;
            }

            var (actual, created, errno) = SetIff(requested, multiqueue);
            if (errno is { } e)
            {
                var label = requested.Length > 0 ? $" ({requested})" : "";
                return ("", false, 0, false, $"could not configure /dev/net/tun{label}: {e.Text()}");
            }

            return (actual, vnet, flags, created, null);
        }

        private (string Name, bool Created, ModelErrno? Error) SetIff(string requested, bool multiqueue)
        {
            var name = requested.Length == 0 ? "tap%d" : requested;
            if (_ifaces.TryGetValue(name, out var existing))
            {
                switch (existing.Kind)
                {
                    case InterfaceKind.NotTap:
                        return (name, false, ModelErrno.EINVAL);
                    case InterfaceKind.SingleQueueTapBusy:
                        return (name, false, multiqueue ? ModelErrno.EINVAL : ModelErrno.EBUSY);
                    case InterfaceKind.SingleQueueTapFree:
                        if (multiqueue)
                        {
                            return (name, false, ModelErrno.EINVAL);
                        }

                        _ifaces[name] = new ExistingInterface(InterfaceKind.SingleQueueTapBusy, 1);
                        return (name, false, null);
                    default:
                        if (!multiqueue)
                        {
                            return (name, false, ModelErrno.EINVAL);
                        }

                        if (existing.AttachedQueues >= MaxQueues)
                        {
                            return (name, false, ModelErrno.E2BIG);
                        }

                        _ifaces[name] = existing with { AttachedQueues = existing.AttachedQueues + 1 };
                        return (name, false, null);
                }
            }

            if (!env.HasNetAdmin)
            {
                return (name, false, ModelErrno.EPERM);
            }

            if (!IsValidKernelName(name))
            {
                return (name, false, ModelErrno.EINVAL);
            }

            var percent = name.IndexOf('%', StringComparison.Ordinal);
            if (percent >= 0)
            {
                if (percent + 1 >= name.Length || name[percent + 1] != 'd' || name.IndexOf('%', percent + 2) >= 0)
                {
                    return (name, false, ModelErrno.EINVAL);
                }

                var n = 0;
                while (_ifaces.ContainsKey(name.Replace("%d", n.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)))
                {
                    n++;
                }

                name = name.Replace("%d", n.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            }

            _ifaces[name] = multiqueue
                ? new ExistingInterface(InterfaceKind.MultiQueueTap, 1)
                : new ExistingInterface(InterfaceKind.SingleQueueTapBusy, 1);
            return (name, true, null);
        }

        /// <summary>Kernel dev_valid_name: 1..15 bytes, not "." or "..", no '/', ':' or C whitespace.</summary>
        private static bool IsValidKernelName(string name) =>
            name.Length > 0
            && Encoding.UTF8.GetByteCount(name) <= 15
            && name is not "." and not ".."
            && !name.Any(c => c == '/' || c == ':' || IsCSpace(c));

        /// <summary>O34 steps 2 and 4 for one queue.</summary>
        private (ModelQueue? Queue, string? Error) SetupQueue(
            int index, string model, bool vnet, string info, string? ifname, int? fd, int? vhostFd, int? tunFlags)
        {
            var sndbuf = o.Sndbuf is null or 0 ? IntMax : (int)Math.Min(o.Sndbuf.Value, (ulong)IntMax);
            if (o.Sndbuf is not null && env.SndbufError is { } sndErr)
            {
                return (null, $"TUNSETSNDBUF ioctl failed: {sndErr.Text()}");
            }

            var vhost = VhostWanted(vhostFd is not null);
            if (vhost)
            {
                if (vhostFd is { } vfd)
                {
                    if (env.Fds[vfd] != FdKind.VhostNet || InitFails(index))
                    {
                        return (null, VhostInitFailed);
                    }
                }
                else
                {
                    if (env.VhostNetOpenError is { } vErr)
                    {
                        return (null, $"tap: open vhost char device failed: {vErr.Text()}");
                    }

                    if (InitFails(index))
                    {
                        return (null, VhostInitFailed);
                    }
                }
            }

            return (new ModelQueue
            {
                Model = model,
                VnetHdr = vnet,
                Info = Truncate255(info),
                Ifname = ifname,
                Fd = fd,
                Sndbuf = sndbuf,
                Vhost = vhost,
                PollUs = vhost ? o.PollUs ?? 0 : 0,
                VhostFd = vhost ? vhostFd : null,
                TunFlags = tunFlags,
            }, null);
        }

        private static int? FirstOrNull(ImmutableArray<int> fds) => fds.Length > 0 ? fds[0] : null;

        private bool InitFails(int index) => env.VhostInitFailsAtQueue is { } k && index >= k;

        private ModelError Fail(FailurePhase phase, string message) => new(message, phase)
        {
            ScriptRuns = [.. _scripts],
            HelperArgv = _helperArgv,
            TakenFds = [.. _taken],
            HelperFd = _helperFd,
        };

        private ModelCreated Created(ImmutableArray<ModelQueue> queues) => new(queues)
        {
            ScriptRuns = [.. _scripts],
            HelperArgv = _helperArgv,
            TakenFds = [.. _taken],
            HelperFd = _helperFd,
        };
    }
}
