using System.Collections.Immutable;

namespace Tap.Tests.Model;

/// <summary>What an fd number that exists in the process refers to.</summary>
public enum FdKind
{
    /// <summary>An attached tap queue whose device has IFF_VNET_HDR (TUNGETIFF reports 0x4000).</summary>
    TapWithVnetHdr,
    /// <summary>An attached tap queue without IFF_VNET_HDR.</summary>
    TapWithoutVnetHdr,
    /// <summary>Not a tun fd at all (stdio, /dev/null, a socket): TUNGETIFF → ENOTTY.</summary>
    NotTap,
    /// <summary>An open /dev/net/tun fd never attached: TUNGETIFF → EBADFD.</summary>
    UnattachedTun,
    /// <summary>An open /dev/vhost-net fd: TUNGETIFF → ENOTTY; usable as a vhostfd.</summary>
    VhostNet,
}

/// <summary>Kind of an interface that already exists in the network namespace.</summary>
public enum InterfaceKind
{
    /// <summary>Not a tap (e.g. <c>lo</c>): TUNSETIFF on its name → EINVAL.</summary>
    NotTap,
    /// <summary>Single-queue tap whose one queue is attached by someone else → EBUSY.</summary>
    SingleQueueTapBusy,
    /// <summary>Persistent single-queue tap with no queue attached: a single-queue open attaches.</summary>
    SingleQueueTapFree,
    /// <summary>Multiqueue tap with <see cref="ExistingInterface.AttachedQueues"/> queues (attached + detached).</summary>
    MultiQueueTap,
}

public sealed record ExistingInterface(InterfaceKind Kind, int AttachedQueues = 0);

/// <summary>
/// Outcome of running a script: the raw wait status QEMU would see.
/// 0 = success; exit code k → 256·k; killed by signal s → s. A path missing
/// from <see cref="ModelEnv.Scripts"/> behaves like a missing / non-executable
/// file: the child's exec fails and it exits 1 (status 256).
/// </summary>
/// <param name="WaitStatus">QEMU's raw wait status (S5).</param>
/// <param name="Cause">What it means, as tapnet appends it to QEMU's message (D-27).</param>
public sealed record ScriptBehaviour(int WaitStatus, string Cause)
{
    public static ScriptBehaviour Succeeds { get; } = new(0, "");
    public static ScriptBehaviour Missing { get; } = new(256, "could not be run: No such file or directory");
    public static ScriptBehaviour Exits(int code) => new(code * 256, $"exit code {code}");
    public static ScriptBehaviour KilledBy(int signal) => new(signal, $"killed by signal {signal}");
    public bool Ok => WaitStatus == 0;
}

public enum HelperAction
{
    /// <summary>Sends one attached tap fd whose device has IFF_VNET_HDR.</summary>
    SendsTapFd,
    /// <summary>Sends one attached tap fd without IFF_VNET_HDR.</summary>
    SendsTapFdWithoutVnetHdr,
    /// <summary>Sends one fd that is not a tap (e.g. /dev/null).</summary>
    SendsNonTapFd,
    /// <summary>Sends one data byte without any SCM_RIGHTS fd.</summary>
    SendsDataWithoutFd,
    /// <summary>Closes its end without sending anything (EOF).</summary>
    ClosesWithoutSending,
}

/// <summary>Behaviour of a bridge helper program: what it sends, then its exit code (non-zero = failed / killed).</summary>
/// <param name="Action">What it sends.</param>
/// <param name="ExitCode">Its exit code (non-zero = failed).</param>
/// <param name="NotRunnable">True when the program cannot be executed at all: QEMU's child then exits 1, and tapnet
/// says why (D-27).</param>
public sealed record HelperBehaviour(HelperAction Action, int ExitCode, bool NotRunnable = false)
{
    /// <summary>What tapnet appends to <c>bridge helper failed</c> (D-27).</summary>
    public string Cause => NotRunnable ? "could not be run: No such file or directory" : $"exit code {ExitCode}";
}

/// <summary>
/// Immutable description of the simulated environment a netdev is created in.
/// fd numbers: every key of <see cref="Fds"/> is open in the process (include
/// 0, 1, 2 and QEMU's own internal fds there); every other number is closed.
/// New fds get the lowest free number (POSIX rule).
/// </summary>
public sealed record ModelEnv
{
    public const string DefaultScript = "/etc/qemu-ifup";
    public const string DefaultDownscript = "/etc/qemu-ifdown";
    public const string DefaultHelper = "/usr/lib/qemu/qemu-bridge-helper";
    public const string DefaultBridge = "br0";

    /// <summary>TUNGETFEATURES lists IFF_VNET_HDR.</summary>
    public bool VnetHdrSupported { get; init; } = true;

    /// <summary>TUNGETFEATURES lists IFF_MULTI_QUEUE.</summary>
    public bool MultiqueueSupported { get; init; } = true;

    /// <summary>Kernel knows the USO offload bits (no effect on creation outcomes; carried for the harness).</summary>
    public bool UsoKnown { get; init; } = true;

    /// <summary>null: /dev/net/tun opens; otherwise the errno of the failed open.</summary>
    public ModelErrno? TunOpenError { get; init; }

    /// <summary>false: creating a new device fails with EPERM (attaching to an existing one still works).</summary>
    public bool HasNetAdmin { get; init; } = true;

    /// <summary>Interfaces that exist before creation, by name.</summary>
    public ImmutableDictionary<string, ExistingInterface> Interfaces { get; init; } =
        ImmutableDictionary<string, ExistingInterface>.Empty.Add("lo", new ExistingInterface(InterfaceKind.NotTap));

    /// <summary>Open fds of the process by number (inherited fds and internal ones).</summary>
    public ImmutableSortedDictionary<int, FdKind> Fds { get; init; } =
        ImmutableSortedDictionary<int, FdKind>.Empty
            .Add(0, FdKind.NotTap).Add(1, FdKind.NotTap).Add(2, FdKind.NotTap);

    /// <summary>fds passed to the monitor with <c>getfd</c>: name → fd number (only used when the request comes from a monitor).</summary>
    public ImmutableDictionary<string, int> MonitorFds { get; init; } = ImmutableDictionary<string, int>.Empty;

    /// <summary>Script outcome by path; a missing path → <see cref="ScriptBehaviour.Missing"/>.</summary>
    public ImmutableDictionary<string, ScriptBehaviour> Scripts { get; init; } =
        ImmutableDictionary<string, ScriptBehaviour>.Empty
            .Add(DefaultScript, ScriptBehaviour.Succeeds)
            .Add(DefaultDownscript, ScriptBehaviour.Succeeds);

    /// <summary>
    /// Bridge helper behaviour keyed by program path (argv[0], i.e. the first
    /// word of the helper text). A program missing here cannot be executed:
    /// the child exits 1 without sending anything. Default: the system helper
    /// exits 1 (no /etc/qemu/bridge.conf, as on the reference host).
    /// </summary>
    public ImmutableDictionary<string, HelperBehaviour> Helpers { get; init; } =
        ImmutableDictionary<string, HelperBehaviour>.Empty
            .Add(DefaultHelper, new HelperBehaviour(HelperAction.ClosesWithoutSending, 1));

    /// <summary>null: /dev/vhost-net opens; otherwise the errno (default ENOENT as on the reference host).</summary>
    public ModelErrno? VhostNetOpenError { get; init; } = ModelErrno.ENOENT;

    /// <summary>null: vhost_net_init succeeds for every queue with a real vhost fd; k: it fails for queue index k (earlier queues succeed).</summary>
    public int? VhostInitFailsAtQueue { get; init; }

    /// <summary>null: TUNSETSNDBUF succeeds; otherwise the errno it fails with (an error only when sndbuf= was given).</summary>
    public ModelErrno? SndbufError { get; init; }

    public static ModelEnv Default { get; } = new();

    public ModelEnv WithFd(int number, FdKind kind) => this with { Fds = Fds.SetItem(number, kind) };

    public ModelEnv WithScript(string path, ScriptBehaviour behaviour) => this with { Scripts = Scripts.SetItem(path, behaviour) };

    public ModelEnv WithHelper(string program, HelperBehaviour behaviour) => this with { Helpers = Helpers.SetItem(program, behaviour) };

    public ModelEnv WithInterface(string name, InterfaceKind kind, int attachedQueues = 0) =>
        this with { Interfaces = Interfaces.SetItem(name, new ExistingInterface(kind, attachedQueues)) };

    /// <summary>Makes fds 0..<paramref name="lastInclusive"/> open (stdio plus QEMU internals) as non-tap fds, keeping existing entries.</summary>
    public ModelEnv WithBusyFdsThrough(int lastInclusive)
    {
        var fds = Fds;
        for (var i = 0; i <= lastInclusive; i++)
        {
            if (!fds.ContainsKey(i))
            {
                fds = fds.Add(i, FdKind.NotTap);
            }
        }

        return this with { Fds = fds };
    }
}
