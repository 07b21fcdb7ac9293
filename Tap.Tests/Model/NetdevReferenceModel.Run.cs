using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Tap.Tests.Model;

public static partial class NetdevReferenceModel
{
    /// <summary>One evaluation: the rows of the decision table, one method each, in the table's order.</summary>
    private sealed partial class Run(ModelOptions o, ModelEnv env)
    {
        private readonly List<ScriptRun> _scripts = [];
        private readonly SortedSet<int> _taken = [];
        private readonly HashSet<string> _consumedNames = [];
        private readonly Dictionary<string, ExistingInterface> _ifaces = new(env.Interfaces);
        private ImmutableArray<string>? _helperArgv;
        private int? _helperFd;

        /// <summary>Row <c>tap:</c>: the hub check, then the first of fd=, fds=, helper= given picks the branch.
        /// </summary>
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

        /// <summary>
        /// Row <c>bridge:</c>: empty helper → bridge name → helper → probe → queue (model bridge,
        /// info helper=&lt;text|(null)&gt;,br=&lt;br&gt;; no sndbuf, no vhost, no scripts).
        /// </summary>
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

        /// <summary>
        /// Branch A, <c>fd=</c>: combination → vhostfd without vhost → fd/vhostfd syntax → duplicates → take fds →
        /// tap fd non-blocking → TUNGETIFF probe → vhostfd non-blocking → queue setup (model tap, info fd=n).
        /// </summary>
        private ModelOutcome BranchFd(string fdText)
        {
            if (o.Ifname is not null || o.Script is not null || o.Downscript is not null || o.VnetHdr is not null
                || o.Helper is not null || o.Queues is not null || o.Fds is not null || o.Vhostfds is not null)
            {
                return Fail(FailurePhase.Options, ComboFd);
            }

            if (TakeFds([fdText], VhostfdItem(), o.Vhostfd is not null, out var tapFds, out var vnet, out var vhostFds)
                is { } failed)
            {
                return failed;
            }

            var (queue, error) = SetupQueue(0, "tap", vnet, $"fd={tapFds[0]}", null, tapFds[0], FirstOrNull(vhostFds), null);
            return error is not null ? Fail(FailurePhase.QueueSetup, error) : Created([queue!]);
        }

        /// <summary>
        /// Branch B, <c>fds=</c>: combination → fds count (0 / &gt;256) → vhostfds count mismatch → vhostfds without
        /// vhost → syntax of every item → duplicates → take all → every tap fd non-blocking + probe → every vhostfd
        /// non-blocking → queue setup per item (model tap, info fd=n).
        /// </summary>
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

            if (TakeFds(items, vhostItems, o.Vhostfds is not null, out var tapFds, out var vnet, out var vhostFds)
                is { } failed)
            {
                return failed;
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

        /// <summary>
        /// Branch C, <c>helper=</c>: combination → empty helper → bridge name → vhostfd without vhost → vhostfd syntax
        /// → take → vhostfd non-blocking → helper → probe received fd → queue setup (model bridge, info helper=text).
        /// </summary>
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

            if (TakeFds([], VhostfdItem(), o.Vhostfd is not null, out _, out _, out var vhostFds) is { } failed)
            {
                return failed;
            }

            var (helperFd, helperError, helperPhase) = RunHelper(helper, br);
            if (helperError is not null)
            {
                return Fail(helperPhase, helperError);
            }

            var (queue, error) = SetupQueue(0, "bridge", HelperVnet(), $"helper={helper}", null, helperFd, FirstOrNull(vhostFds), null);
            return error is not null ? Fail(FailurePhase.QueueSetup, error) : Created([queue!]);
        }

        /// <summary>
        /// Branch D, none of fd=, fds=, helper=: vhostfds → queues 1..256 → vhostfd with queues&gt;1 → ifname ≤ 15
        /// bytes → vhostfd without vhost → vhostfd syntax → take → vhostfd non-blocking → open ALL queues (O37) →
        /// setup script once → queue setup per queue (model tap; queue 0 info with real scripts, others
        /// script=no,downscript=no); a queue-setup failure runs the down script once.
        /// </summary>
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

            if (TakeFds([], VhostfdItem(), o.Vhostfd is not null, out _, out _, out var vhostFds) is { } failed)
            {
                return failed;
            }

            var script = o.Script ?? ModelEnv.DefaultScript;
            var downscript = o.Downscript ?? ModelEnv.DefaultDownscript;
            var (name, vnet, flags, createdInterface, openError) = OpenEveryQueue(queues);
            if (openError is not null)
            {
                return Fail(FailurePhase.TapOpen, openError);
            }

            if (RunSetupScript(script, name) is { } scriptError)
            {
                return Fail(FailurePhase.Script, scriptError);
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

        /// <summary>
        /// The checks every tap branch ends with: vhostfd(s) without vhost → syntax and duplicates of every item →
        /// take them all → tap fds non-blocking and probed, vhost fds non-blocking. Null when all pass.
        /// </summary>
        private ModelError? TakeFds(
            IReadOnlyList<string> tapTexts,
            IReadOnlyList<string> vhostTexts,
            bool hasVhostFd,
            out ImmutableArray<int> tapFds,
            out bool vnet,
            out ImmutableArray<int> vhostFds)
        {
            tapFds = [];
            vnet = false;
            vhostFds = [];
            if (IsVhostfdWithoutVhost(hasVhostFd))
            {
                return Fail(FailurePhase.Options, VhostfdWithoutVhost);
            }

            if (ParseAll(tapTexts, vhostTexts, out var tapRefs, out var vhostRefs) is { } syntaxError)
            {
                return Fail(FailurePhase.Options, syntaxError);
            }

            if (TakeAndCheck(tapRefs, vhostRefs, out tapFds, out vnet, out vhostFds) is { } fdError)
            {
                return Fail(FailurePhase.NamedFds, fdError);
            }

            return null;
        }

        private ImmutableArray<string> VhostfdItem() => o.Vhostfd is null ? [] : [o.Vhostfd];

        /// <summary>
        /// Branch D's open step: every queue is opened before the script runs (D-23); later queues ask for the name
        /// queue 0 got. The name, header, flags and whether the interface is new are queue 0's.
        /// </summary>
        private (string Name, bool Vnet, int Flags, bool Created, string? Error) OpenEveryQueue(uint queues)
        {
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
                    return ("", false, 0, false, openError);
                }

                if (i == 0)
                {
                    name = actual;
                    vnet = queueVnet;
                    flags = queueFlags;
                    createdInterface = created;
                }
            }

            return (name, vnet, flags, createdInterface, null);
        }

        /// <summary>Branch D's script step (S5-S7): the setup script once with [script, ifname] unless empty or "no".
        /// </summary>
        private string? RunSetupScript(string script, string name)
        {
            if (script.Length == 0 || script == "no")
            {
                return null;
            }

            _scripts.Add(new ScriptRun(ScriptRole.Setup, [script, name]));
            var status = env.Scripts.GetValueOrDefault(script) ?? ScriptBehaviour.Missing;
            return status.Ok
                ? null
                : string.Create(CultureInfo.InvariantCulture, $"network script {script} failed with status {status.WaitStatus} ({status.Cause})");
        }

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
