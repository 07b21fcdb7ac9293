using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Sim;
using Tap.Tests.Model.DataPath;

namespace Tap.Tests.Properties.DataPath;

/// <summary>
/// Stands between the core and the simulated kernel and writes down every call the core makes, with the values it
/// passed and the result it got, in <see cref="KernelCallText"/>'s words. This is what the kernel was asked, seen
/// from outside the core, so a value that reaches the kernel is compared with the model and not with itself. It
/// also fails the next read or write on an fd when the workload says so, without the kernel seeing the call.
/// </summary>
public sealed class KernelCallLog(SimKernel kernel) : IOsNet
{
    private readonly Dictionary<(int Fd, bool Write), Queue<Errno>> _faults = new();

    /// <summary>Every call so far, in order.</summary>
    public List<string> Calls { get; } = new();

    /// <summary>Every vhost-net init the kernel was asked for, with the values passed.</summary>
    public List<(int VhostFd, int TapFd, bool TapHasVnetHdr, uint PollUs)> VhostInits { get; } = new();

    /// <summary>
    /// What happened to vhost fds and to every fd closed, in order: init (ok only), start, stop, cleanup, close.
    /// </summary>
    public List<(string Call, int Fd)> FdEvents { get; } = new();

    /// <summary>The next read (or write) on <paramref name="fd"/> fails with <paramref name="error"/>.</summary>
    public void InjectFault(Fd fd, bool onWrite, Errno error)
    {
        if (!_faults.TryGetValue((fd.Number, onWrite), out var q))
        {
            q = new Queue<Errno>();
            _faults[(fd.Number, onWrite)] = q;
        }
        q.Enqueue(error);
    }

    /// <summary>Forgets every fault not fired yet.</summary>
    public void ClearFaults() => _faults.Clear();

    private bool TakeFault(Fd fd, bool onWrite, out Errno error)
    {
        error = Errno.None;
        if (_faults.TryGetValue((fd.Number, onWrite), out var q) && q.Count > 0)
        {
            error = q.Dequeue();
            return true;
        }
        return false;
    }

    private static string? Err(SysResult r) => r.Ok ? null : r.Error.ToString();

    /// <summary>Writes down the call as <paramref name="line"/> says, given the errno name or null.</summary>
    private SysResult Logged(SysResult r, Func<string?, string> line)
    {
        Calls.Add(line(Err(r)));
        return r;
    }

    /// <summary>Writes down a call with a value as <paramref name="line"/> says.</summary>
    private SysResult<T> Logged<T>(SysResult<T> r, Func<SysResult<T>, string> line)
    {
        Calls.Add(line(r));
        return r;
    }

    private static string Value<T>(SysResult<T> r, Func<T, string> text) => r.Ok ? text(r.Value) : r.Error.ToString();

    public SysResult<Fd> OpenTunControl() =>
        Logged(kernel.OpenTunControl(), r => KernelCallText.OpenTun(Value(r, f => f.ToString())));

    public SysResult<Fd> OpenVhostNet() =>
        Logged(kernel.OpenVhostNet(), r => KernelCallText.OpenVhost(Value(r, f => f.ToString())));

    public SysResult SetNonBlocking(Fd fd) =>
        Logged(kernel.SetNonBlocking(fd), e => KernelCallText.NonBlocking(fd.Number, e));

    public SysResult Close(Fd fd)
    {
        var r = Logged(kernel.Close(fd), e => KernelCallText.Close(fd.Number, e));
        FdEvents.Add((r.Ok ? "close" : "close-" + r.Error, fd.Number));
        return r;
    }

    public SysResult<Fd> TakeNamedFd(string name) =>
        Logged(kernel.TakeNamedFd(name), r => $"getfd({name}) = {Value(r, f => f.ToString())}");

    public SysResult<TunFlags> TunGetFeatures(Fd fd) =>
        Logged(kernel.TunGetFeatures(fd), r => KernelCallText.GetFeatures(fd.Number, Value(r, f => KernelCallText.Hex((int)f))));

    public SysResult<string> TunSetIff(Fd fd, string name, TunFlags flags) =>
        Logged(kernel.TunSetIff(fd, name, flags), r => KernelCallText.SetIff(fd.Number, name, (int)flags, Value(r, n => n)));

    public SysResult<TunInterfaceInfo> TunGetIff(Fd fd) =>
        Logged(kernel.TunGetIff(fd), r => KernelCallText.GetIff(fd.Number, Value(r, i => $"{i.Name} {KernelCallText.Hex((int)i.Flags)}")));

    public SysResult TunSetVnetHdrSize(Fd fd, int bytes) =>
        Logged(kernel.TunSetVnetHdrSize(fd, bytes), e => KernelCallText.SetVnetHdrSize(fd.Number, bytes, e));

    public SysResult TunSetOffload(Fd fd, TunOffload offload) =>
        Logged(kernel.TunSetOffload(fd, offload), e => KernelCallText.SetOffload(fd.Number, (int)offload, e));

    public SysResult TunSetSndBuf(Fd fd, int bytes) =>
        Logged(kernel.TunSetSndBuf(fd, bytes), e => KernelCallText.SetSndBuf(fd.Number, bytes, e));

    public SysResult TunSetVnetLe(Fd fd, bool on) =>
        Logged(kernel.TunSetVnetLe(fd, on), e => KernelCallText.SetVnetLe(fd.Number, on, e));

    public SysResult TunSetVnetBe(Fd fd, bool on) =>
        Logged(kernel.TunSetVnetBe(fd, on), e => KernelCallText.SetVnetBe(fd.Number, on, e));

    public SysResult TunSetQueue(Fd fd, TunFlags attachOrDetach) =>
        Logged(kernel.TunSetQueue(fd, attachOrDetach), e => KernelCallText.SetQueue(fd.Number, (int)attachOrDetach, e));

    public SysResult TunSetSteeringEbpf(Fd fd, int programFd) =>
        Logged(kernel.TunSetSteeringEbpf(fd, programFd), e => KernelCallText.SetSteering(fd.Number, programFd, e));

    public SysResult TunSetFilterEbpf(Fd fd, int programFd) =>
        Logged(kernel.TunSetFilterEbpf(fd, programFd), e => KernelCallText.SetFilterEbpf(fd.Number, programFd, e));

    public SysResult TunClearTxFilter(Fd fd) =>
        Logged(kernel.TunClearTxFilter(fd), e => KernelCallText.ClearTxFilter(fd.Number, e));

    public SysResult TunDetachFilter(Fd fd) =>
        Logged(kernel.TunDetachFilter(fd), e => KernelCallText.DetachFilter(fd.Number, e));

    public SysResult<int> Read(Fd fd, Span<byte> buffer)
    {
        var r = TakeFault(fd, onWrite: false, out var injected) ? injected : kernel.Read(fd, buffer);
        Calls.Add(KernelCallText.Read(fd.Number, buffer.Length, Value(r, n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        return r;
    }

    public SysResult<int> Write(Fd fd, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body)
    {
        var r = TakeFault(fd, onWrite: true, out var injected) ? injected : kernel.Write(fd, head, body);
        Calls.Add(KernelCallText.Write(fd.Number, head.Length, body.Length, Value(r, n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        return r;
    }

    public void Watch(Fd fd, IFdHandler handler, bool readable, bool writable)
    {
        kernel.Watch(fd, handler, readable, writable);
        Calls.Add(KernelCallText.Watch(fd.Number, readable, writable));
    }

    public ChildOutcome RunScript(string path, string ifname, Fd keepOpen)
    {
        Calls.Add(KernelCallText.Script(path, ifname, keepOpen.Number));
        return kernel.RunScript(path, ifname, keepOpen);
    }

    public HelperOutcome RunBridgeHelper(HelperLaunch launch)
    {
        Calls.Add($"helper({launch.Program})");
        return kernel.RunBridgeHelper(launch);
    }

    public VhostInitResult VhostNetInit(Fd vhostFd, Fd tapFd, bool tapHasVnetHdr, uint busyloopTimeoutUs)
    {
        VhostInits.Add((vhostFd.Number, tapFd.Number, tapHasVnetHdr, busyloopTimeoutUs));
        var r = kernel.VhostNetInit(vhostFd, tapFd, tapHasVnetHdr, busyloopTimeoutUs);
        if (r.Ok)
        {
            FdEvents.Add(("init", vhostFd.Number));
        }
        Calls.Add(KernelCallText.VhostInit(vhostFd.Number, tapFd.Number, tapHasVnetHdr, busyloopTimeoutUs, r.Ok ? "ok" : r.Detail ?? "failed"));
        return r;
    }

    public SysResult VhostNetStart(Fd vhostFd, Fd tapFd)
    {
        FdEvents.Add(("start", vhostFd.Number));
        return Logged(kernel.VhostNetStart(vhostFd, tapFd),
            e => KernelCallText.VhostStart(vhostFd.Number, tapFd.Number, e));
    }

    public SysResult VhostNetStop(Fd vhostFd)
    {
        FdEvents.Add(("stop", vhostFd.Number));
        return Logged(kernel.VhostNetStop(vhostFd), e => KernelCallText.VhostStop(vhostFd.Number, e));
    }

    public void VhostNetCleanup(Fd vhostFd)
    {
        kernel.VhostNetCleanup(vhostFd);
        FdEvents.Add(("cleanup", vhostFd.Number));
        Calls.Add(KernelCallText.VhostCleanup(vhostFd.Number));
    }

    // The data-path model has no rate limits: these pass through unlogged.
    public long ClockMonotonicNs() => kernel.ClockMonotonicNs();

    public SysResult<Fd> TimerFdCreate() => kernel.TimerFdCreate();

    public SysResult TimerFdSetTime(Fd fd, long dueNs) => kernel.TimerFdSetTime(fd, dueNs);

    public void Report(Diagnostic diagnostic)
    {
        kernel.Report(diagnostic);
        Calls.Add(KernelCallText.Report(diagnostic.Kind.ToString(), diagnostic.Message));
    }
}
