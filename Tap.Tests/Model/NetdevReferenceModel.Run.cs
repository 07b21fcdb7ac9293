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
