using System.Collections.Immutable;
using System.Text;
using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;
using Tap.Sim;
using Tap.Tests.Model;

namespace Tap.Tests.Properties;

/// <summary>
/// Builds the simulated kernel a <see cref="ModelEnv"/> describes, runs our creation flow in it, and describes what
/// happened in the reference model's terms so the two can be compared line by line.
/// </summary>
public sealed class ModelHarness
{
    private ModelHarness(SimKernel kernel, NetStack stack) => (Kernel, Stack) = (kernel, stack);

    public SimKernel Kernel { get; }
    public NetStack Stack { get; }
    public NetdevInitResult Result { get; private set; } = null!;

    /// <summary>fds open before creation (the environment's), and devices that existed.</summary>
    public IReadOnlyList<int> FdsBefore { get; private set; } = [];

    public static SimKernel BuildKernel(ModelEnv env, ulong seed)
    {
        var k = new SimKernel(seed)
        {
            UsoKnown = env.UsoKnown,
            HasNetAdmin = env.HasNetAdmin,
            TunOpenError = env.TunOpenError is { } t ? (Errno)(int)t : null,
            SndBufError = env.SndbufError is { } s ? (Errno)(int)s : null,
            VhostPresent = env.VhostNetOpenError is null,
            VhostInitFailsFrom = env.VhostInitFailsAtQueue,
        };
        var features = k.Features;
        if (!env.VnetHdrSupported)
        {
            features &= ~TunFlags.VnetHdr;
        }
        if (!env.MultiqueueSupported)
        {
            features &= ~TunFlags.MultiQueue;
        }
        k.Features = features;

        // Put every inherited fd at its number: fill gaps with placeholders, then close them.
        var placeholders = new List<Fd>();
        foreach (var (number, kind) in env.Fds)
        {
            if (number <= 2)
            {
                continue;
            }
            while (k.OpenFds.Count(n => n < number) < number)
            {
                placeholders.Add(k.AddOtherFd("placeholder"));
            }
            var fd = kind switch
            {
                FdKind.TapWithVnetHdr => k.AddTapFd($"given{number}", vnetHdr: true),
                FdKind.TapWithoutVnetHdr => k.AddTapFd($"given{number}", vnetHdr: false),
                FdKind.UnattachedTun => k.AddUnattachedTunFd(),
                FdKind.VhostNet => k.AddVhostFd(),
                _ => k.AddOtherFd("inherited"),
            };
            if (fd.Number != number)
            {
                throw new InvalidOperationException($"fd {number} landed on {fd.Number}");
            }
        }
        foreach (var p in placeholders)
        {
            k.Close(p);
        }
        foreach (var (name, number) in env.MonitorFds.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            k.AddNamedFd(name, new Fd(number));
        }
        foreach (var (name, iface) in env.Interfaces.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            switch (iface.Kind)
            {
                case InterfaceKind.NotTap:
                    k.AddOtherInterface(name);
                    break;
                case InterfaceKind.SingleQueueTapBusy:
                    k.AddForeignTap(name, multiQueue: false, queues: 1);
                    break;
                case InterfaceKind.SingleQueueTapFree:
                    k.AddForeignTap(name, multiQueue: false, queues: 0);
                    break;
                case InterfaceKind.MultiQueueTap:
                    k.AddForeignTap(name, multiQueue: true, queues: iface.AttachedQueues);
                    break;
            }
        }
        foreach (var (path, behaviour) in env.Scripts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            int status = behaviour.WaitStatus;
            k.Scripts[path] = new SimScript((status & 0x7f) == 0 ? ChildOutcome.Exit(status >> 8) : ChildOutcome.Signal(status & 0x7f));
        }
        foreach (var (program, helper) in env.Helpers.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var sends = helper.Action switch
            {
                HelperAction.SendsTapFd => SimHelperSends.TapFd,
                HelperAction.SendsTapFdWithoutVnetHdr => SimHelperSends.TapFdWithoutVnetHdr,
                HelperAction.SendsNonTapFd => SimHelperSends.OtherFd,
                HelperAction.SendsDataWithoutFd => SimHelperSends.DataWithoutFd,
                _ => SimHelperSends.Nothing,
            };
            k.Helpers[program] = new SimHelper(sends, ChildOutcome.Exit(helper.ExitCode));
        }
        return k;
    }

    public static NetdevOptions ToOptions(ModelOptions o) => o.Kind == NetdevKind.Bridge
        ? new BridgeOptions { Id = o.Id, Br = o.Br, Helper = o.Helper }
        : new TapOptions
        {
            Id = o.Id, Ifname = o.Ifname, Fd = o.Fd, Fds = o.Fds, Script = o.Script, Downscript = o.Downscript, Br = o.Br,
            Helper = o.Helper, Sndbuf = o.Sndbuf, VnetHdr = o.VnetHdr, Vhost = o.Vhost, Vhostfd = o.Vhostfd,
            Vhostfds = o.Vhostfds, Vhostforce = o.Vhostforce, Queues = o.Queues, PollUs = o.PollUs,
        };

    /// <summary>Builds the environment and creates the netdev in it.</summary>
    public static ModelHarness Run(ModelOptions o, ModelEnv env, ulong seed = 1)
    {
        var k = BuildKernel(env, seed);
        var stack = new NetStack();
        var h = new ModelHarness(k, stack) { FdsBefore = k.OpenFds };
        NetClient? peer = o.HubPeer ? stack.GetOrCreateHub(0).AddPort(null, null) : null;
        var netdevEnv = new NetdevEnvironment { FromMonitor = o.FromMonitor };
        var options = ToOptions(o);
        h.Result = options switch
        {
            BridgeOptions b => BridgeInit.Run(stack, k, netdevEnv, b, peer),
            TapOptions t => TapInit.Run(stack, k, netdevEnv, t, peer),
            _ => throw new InvalidOperationException(),
        };
        return h;
    }

    /// <summary>What we did, in the words of <see cref="ModelOutcome.Describe"/> (phases are not ours to report).</summary>
    public string Describe(ModelOutcome expected)
    {
        var sb = new StringBuilder();
        if (!Result.Ok)
        {
            sb.Append("error: ").AppendLine(Result.Error);
        }
        else
        {
            sb.Append("created ").Append(Result.Created.Count).AppendLine(" queue(s)");
            foreach (TapBackend q in Result.Created.Cast<TapBackend>())
            {
                var file = Kernel.FileOf(q.Fd) as SimFile.Tun;
                var device = file?.Queue?.Device;
                bool defaultBranch = expected is ModelCreated mc && mc.Queues.Length > 0 && mc.Queues[0].TunFlags is not null;
                var mq = new ModelQueue
                {
                    Model = q.Model,
                    VnetHdr = q.HasVnetHdr,
                    Info = q.InfoStr,
                    Ifname = q.InfoStr.StartsWith("ifname=", StringComparison.Ordinal) ? device?.Name : null,
                    Fd = q.InfoStr.StartsWith("fd=", StringComparison.Ordinal) || q.Model == "bridge" ? q.Fd.Number : null,
                    Sndbuf = q.Model == "bridge" && q.InfoStr.Contains(",br=", StringComparison.Ordinal) ? null : file?.Queue?.SndBuf,
                    Vhost = q.VhostFd is not null,
                    // What the simulated vhost device was given, not the option read back.
                    PollUs = q.VhostFd is { } vfd && Kernel.FileOf(vfd) is SimFile.Vhost vhost ? vhost.BusyloopTimeoutUs : 0,
                    VhostFd = q.VhostFd is { } v && expectedVhostFdIsGiven(v) ? v.Number : null,
                    TunFlags = defaultBranch && file?.Queue is { } sq ? (int)sq.RequestedFlags : null,
                };
                sb.Append("  ").AppendLine(mq.ToString());
            }
        }
        return sb.ToString();

        bool expectedVhostFdIsGiven(Fd v) => FdsBefore.Contains(v.Number);
    }

    /// <summary>Compares our run with the model's outcome; returns the differences (empty when they agree).</summary>
    public List<string> Compare(ModelOptions o, ModelOutcome expected)
    {
        var problems = new List<string>();
        var expectedText = expected switch
        {
            ModelError e => $"error: {e.Message}\n",
            ModelCreated c => $"created {c.Queues.Length} queue(s)\n" + string.Concat(c.Queues.Select(q => "  " + q + "\n")),
            _ => "",
        };
        var actualText = Describe(expected).Replace("\r", "");
        if (expectedText != actualText)
        {
            problems.Add($"outcome differs\n--- model\n{expectedText}--- ours\n{actualText}");
        }

        // Scripts: setup runs now; a successful netdev runs its down script at teardown.
        var runs = Kernel.ScriptRuns.Select(r => string.Join(", ", r.Argv)).ToList();
        var expectedRuns = expected.ScriptRuns.Select(r => string.Join(", ", r.Argv)).ToList();
        if (!runs.SequenceEqual(expectedRuns))
        {
            problems.Add($"scripts differ: model [{string.Join(" | ", expectedRuns)}] ours [{string.Join(" | ", runs)}]");
        }
        foreach (var run in Kernel.ScriptRuns)
        {
            var visible = run.ChildFds.Where(n => n > 2).ToList();
            if (visible.Count > 1)
            {
                problems.Add($"script child saw fds {string.Join(",", visible)}");
            }
        }

        var helperArgv = Kernel.HelperRuns.Count > 0 ? string.Join(", ", Kernel.HelperRuns[0]) : null;
        var expectedHelper = expected.HelperArgv is { } a ? string.Join(", ", a) : null;
        if (helperArgv != expectedHelper || Kernel.HelperRuns.Count > 1)
        {
            problems.Add($"helper argv differs: model [{expectedHelper}] ours [{helperArgv}]");
        }

        // fds: on failure, exactly the environment's fds minus the ones the netdev took are open.
        var shouldRemain = FdsBefore.Where(n => !expected.TakenFds.Contains(n)).ToList();
        if (!Result.Ok && !Kernel.OpenFds.SequenceEqual(shouldRemain))
        {
            problems.Add($"fds after failure: expected [{string.Join(",", shouldRemain)}] open, have [{string.Join(",", Kernel.OpenFds)}]");
        }
        if (!Result.Ok && Stack.Clients.Any(c => c is TapBackend))
        {
            problems.Add("a failed netdev left clients registered");
        }

        // Teardown: every fd the netdev owned closes, the down script runs once.
        int downBefore = Kernel.ScriptRuns.Count;
        Stack.DeleteAll();
        if (!Kernel.OpenFds.SequenceEqual(shouldRemain))
        {
            problems.Add($"fds after teardown: expected [{string.Join(",", shouldRemain)}] open, have [{string.Join(",", Kernel.OpenFds)}]");
        }
        if (expected is ModelCreated created)
        {
            var downRuns = Kernel.ScriptRuns.Skip(downBefore).Select(r => string.Join(", ", r.Argv)).ToList();
            var expectedDown = created.DownScriptOnTeardown is { } d ? new List<string> { string.Join(", ", d.Argv) } : new List<string>();
            if (!downRuns.SequenceEqual(expectedDown))
            {
                problems.Add($"down scripts at teardown: model [{string.Join(" | ", expectedDown)}] ours [{string.Join(" | ", downRuns)}]");
            }
            foreach (var name in created.CreatedInterfaces)
            {
                if (Kernel.Device(name) is not null)
                {
                    problems.Add($"device {name} still exists after teardown");
                }
            }
        }
        return problems;
    }
}
