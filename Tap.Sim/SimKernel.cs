using Tap.Core.Abi;
using Tap.Core.Os;

namespace Tap.Sim;

/// <summary>
/// A deterministic simulated Linux kernel behind <see cref="IOsNet"/>: tun devices and their queues, an fd table
/// that hands out the lowest free number, scripts and bridge helpers as programs a test chooses, vhost-net, a main
/// loop that dispatches readiness in a seeded order, and seeded fault injection (linux-tun.md §10).
/// </summary>
public sealed partial class SimKernel : IOsNet
{
    private readonly SortedDictionary<int, SimFile> _fds = new();
    private readonly SortedDictionary<string, SimTunDevice> _devices = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _otherInterfaces = new(StringComparer.Ordinal) { "lo" };
    private readonly SortedDictionary<string, int> _namedFds = new(StringComparer.Ordinal);
    private readonly SimBufferPool _buffers = new();

    /// <summary>A kernel whose every choice comes from <paramref name="seed"/>.</summary>
    public SimKernel(ulong seed, FaultPlan? faults = null)
    {
        Seed = seed;
        Random = new SimRandom(seed);
        Faults = faults ?? FaultPlan.None;
        _fds[0] = new SimFile.Other("stdin");
        _fds[1] = new SimFile.Other("stdout");
        _fds[2] = new SimFile.Other("stderr");
        Record.Add($"seed {seed} faults {Faults}");
    }

    public ulong Seed { get; }
    public SimRandom Random { get; }
    public FaultPlan Faults { get; }
    public SimRecord Record { get; } = new();

    /// <summary>Record read, write and dispatch calls too (off for benchmarks; the rest is always recorded).</summary>
    public bool RecordDataPath { get; set; } = true;

    /// <summary>Keep a copy of every accepted write for the host side to inspect (off for benchmarks).</summary>
    public bool KeepTransmitted { get; set; } = true;

    // ---- Configuration a test chooses ----

    /// <summary>What TUNGETFEATURES reports (this host: 0x7173).</summary>
    public TunFlags Features { get; set; } = (TunFlags)0x7173;

    /// <summary>Kernel knows the USO offload bits (6.2 and later).</summary>
    public bool UsoKnown { get; set; } = true;

    /// <summary>
    /// Kernel accepts the UFO bit (false: a kernel that refuses it, as briefly after UFO was removed in 4.14; QEMU then
    /// falls back, R33).
    /// </summary>
    public bool UfoKnown { get; set; } = true;

    /// <summary>TUNSETOFFLOAD exists (false: EINVAL for every mask, as before 2.6.27).</summary>
    public bool OffloadSupported { get; set; } = true;

    /// <summary>TUNSETVNETBE works (CONFIG_TUN_VNET_CROSS_LE; not on this host).</summary>
    public bool VnetBeSupported { get; set; }

    /// <summary>Opening /dev/net/tun fails with this, when set.</summary>
    public Errno? TunOpenError { get; set; }

    /// <summary>Creating a new device needs CAP_NET_ADMIN.</summary>
    public bool HasNetAdmin { get; set; } = true;

    /// <summary>
    /// TUNSETVNETHDRSZ fails with this, when set (a kernel that refuses the size; QEMU aborts, D-16).
    /// </summary>
    public Errno? VnetHdrSzError { get; set; }

    /// <summary>TUNSETSNDBUF fails with this, when set.</summary>
    public Errno? SndBufError { get; set; }

    /// <summary>socketpair() for a bridge helper fails with this, when set.</summary>
    public Errno? SocketPairError { get; set; }

    /// <summary>/dev/vhost-net exists (not on this host).</summary>
    public bool VhostPresent { get; set; }

    /// <summary>vhost-net init fails from this call index on (0-based), when set.</summary>
    public int? VhostInitFailsFrom { get; set; }

    /// <summary>Scripts by path; a path not here cannot be executed (ENOENT).</summary>
    public SortedDictionary<string, SimScript> Scripts { get; } = new(StringComparer.Ordinal);

    /// <summary>Bridge helpers by program path; a program not here cannot be executed.</summary>
    public SortedDictionary<string, SimHelper> Helpers { get; } = new(StringComparer.Ordinal);

    // ---- What a test observes ----

    /// <summary>Every script run: argv and the fds the child could see.</summary>
    public List<(IReadOnlyList<string> Argv, IReadOnlyList<int> ChildFds)> ScriptRuns { get; } = new();

    /// <summary>Every helper run's argv.</summary>
    public List<IReadOnlyList<string>> HelperRuns { get; } = new();

    /// <summary>Diagnostics the core reported.</summary>
    public List<Diagnostic> Reports { get; } = new();

    /// <summary>Open fd numbers, ascending.</summary>
    public IReadOnlyList<int> OpenFds => _fds.Keys.ToList();

    /// <summary>True when <paramref name="fd"/> is open.</summary>
    public bool IsOpen(Fd fd) => _fds.ContainsKey(fd.Number);

    /// <summary>What <paramref name="fd"/> refers to, or null.</summary>
    public SimFile? FileOf(Fd fd) => _fds.GetValueOrDefault(fd.Number);

    /// <summary>The live device named <paramref name="name"/>, or null.</summary>
    public SimTunDevice? Device(string name) => _devices.GetValueOrDefault(name);

    /// <summary>Every live device, by name.</summary>
    public IReadOnlyCollection<SimTunDevice> Devices => _devices.Values;

    // ---- Preparing the world ----

    /// <summary>An fd inherited from the parent that is not a tun device.</summary>
    public Fd AddOtherFd(string description) => Allocate(new SimFile.Other(description));

    /// <summary>An inherited /dev/net/tun fd never attached to a device.</summary>
    public Fd AddUnattachedTunFd() => Allocate(new SimFile.Tun());

    /// <summary>An inherited /dev/vhost-net fd.</summary>
    public Fd AddVhostFd() => Allocate(new SimFile.Vhost());

    /// <summary>An inherited fd attached as a queue of device <paramref name="name"/> (created if needed).</summary>
    public Fd AddTapFd(string name, bool vnetHdr, bool multiQueue = false)
    {
        var flags = InheritedTapFlags(vnetHdr, multiQueue);
        if (!_devices.TryGetValue(name, out var device))
        {
            device = new SimTunDevice(name, flags);
            _devices[name] = device;
        }
        var queue = new SimTunQueue(device, _buffers);
        device.Queues.Add(queue);
        return Allocate(new SimFile.Tun { Queue = queue });
    }

    /// <summary>An fd passed to the monitor under <paramref name="name"/> (getfd).</summary>
    public void AddNamedFd(string name, Fd fd) => _namedFds[name] = fd.Number;

    /// <summary>An interface that is not a tap (TUNSETIFF on its name gives EINVAL).</summary>
    public void AddOtherInterface(string name) => _otherInterfaces.Add(name);

    /// <summary>
    /// A tap owned by another process, with <paramref name="queues"/> queues attached (0: persistent, free).
    /// </summary>
    public SimTunDevice AddForeignTap(string name, bool multiQueue, int queues, bool vnetHdr = true)
    {
        var device = new SimTunDevice(name, InheritedTapFlags(vnetHdr, multiQueue))
        {
            ForeignQueues = queues,
            Persistent = true,
        };
        _devices[name] = device;
        return device;
    }

    /// <summary>The flags of a tap some other process made: what QEMU's own taps ask for.</summary>
    private static TunFlags InheritedTapFlags(bool vnetHdr, bool multiQueue) =>
        TunFlags.Tap | TunFlags.NoPi | TunFlags.OneQueue
            | (vnetHdr ? TunFlags.VnetHdr : 0) | (multiQueue ? TunFlags.MultiQueue : 0);

    // ---- fd table ----

    private Fd Allocate(SimFile file)
    {
        int n = 0;
        while (_fds.ContainsKey(n))
        {
            n++;
        }
        _fds[n] = file;
        return new Fd(n);
    }

    // Every IOsNet call is recorded as KernelCalls spells it, with its result: the same words as in a trace.
    private SysResult Log(string call, SysResult r) => Log(call, r, KernelCalls.Result(r));
    private SysResult Log(string call, Errno e) => Log(call, new SysResult(e));
    private SysResult<Fd> Log(string call, SysResult<Fd> r) => Log(call, r, KernelCalls.Result(r));
    private SysResult<TunFlags> Log(string call, SysResult<TunFlags> r) => Log(call, r, KernelCalls.Result(r));
    private SysResult<string> Log(string call, SysResult<string> r) => Log(call, r, KernelCalls.Result(r));

    private SysResult<TunInterfaceInfo> Log(string call, SysResult<TunInterfaceInfo> r) =>
        Log(call, r, KernelCalls.Result(r));

    private T Log<T>(string call, T r, string result)
    {
        Record.Add(KernelCalls.Line(call, result));
        return r;
    }

    /// <inheritdoc/>
    public SysResult<Fd> OpenTunControl()
    {
        if (Random.Chance(Faults[FaultSite.IoctlEintr]))
        {
            return Log(KernelCalls.OpenTunControl(), (SysResult<Fd>)Errno.EINTR);
        }
        if (TunOpenError is { } e)
        {
            return Log(KernelCalls.OpenTunControl(), (SysResult<Fd>)e);
        }
        return Log(KernelCalls.OpenTunControl(), (SysResult<Fd>)Allocate(new SimFile.Tun()));
    }

    /// <inheritdoc/>
    public SysResult<Fd> OpenVhostNet() =>
        Log(KernelCalls.OpenVhostNet(), VhostPresent ? (SysResult<Fd>)Allocate(new SimFile.Vhost()) : Errno.ENOENT);

    /// <inheritdoc/>
    public SysResult SetNonBlocking(Fd fd) =>
        Log(KernelCalls.SetNonBlocking(fd), _fds.ContainsKey(fd.Number) ? SysResult.Success : Errno.EBADF);

    /// <inheritdoc/>
    public SysResult Close(Fd fd)
    {
        if (!_fds.Remove(fd.Number, out var file))
        {
            return Log(KernelCalls.Close(fd), Errno.EBADF);
        }
        Unwatch(fd.Number);
        EndLoan(fd.Number);
        _lendBuffers.Remove(fd.Number);
        CloseSocket(file);
        if (file is SimFile.Vhost { Device: var vhost })
        {
            // Releasing the vhost fd stops its worker and lets go of the tap (vhost-net §3.3 step 4).
            Detach(vhost);
        }
        if (file is SimFile.Tun { Queue: { } queue })
        {
            if (queue.VhostOwner is not null)
            {
                // vhost-net §8 item 1: the worker holds its own reference to the tap file, so the queue stays attached
                // and traffic goes on until the backend is let go (Detach releases it then).
                queue.FdClosed = true;
            }
            else
            {
                ReleaseQueue(queue);
            }
        }
        return Log(KernelCalls.Close(fd), SysResult.Success);
    }

    private void ReleaseQueue(SimTunQueue queue)
    {
        var device = queue.Device;
        queue.Purge();
        device.Queues.Remove(queue);
        if (device.QueueCount == 0 && !device.Persistent
            && _devices.TryGetValue(device.Name, out var live) && ReferenceEquals(live, device))
        {
            _devices.Remove(device.Name);
        }
    }

    /// <inheritdoc/>
    public SysResult<Fd> TakeNamedFd(string name)
    {
        if (_namedFds.Remove(name, out int n))
        {
            return Log(KernelCalls.TakeNamedFd(name), (SysResult<Fd>)new Fd(n));
        }
        return Log(KernelCalls.TakeNamedFd(name), (SysResult<Fd>)Errno.ENOENT);
    }

    /// <inheritdoc/>
    public void Report(Diagnostic diagnostic)
    {
        Reports.Add(diagnostic);
        Record.Add(KernelCalls.Report(diagnostic));
    }
}
