using System.Net;
using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Sim;

namespace Tap.Tests.Pins;

/// <summary>
/// Passes every call to the simulated kernel, but fails the n-th call of a chosen name (and those after it, as many
/// as asked) with a chosen errno, the kernel never seeing it: the failures the simulator does not make by itself
/// (a refused socket(), setsockopt, listen, timerfd, a read error on a live socket). Every call passes through
/// <see cref="Calls"/> by name, so a test can also say which calls were made.
/// </summary>
public sealed class FaultyOs(SimKernel kernel) : IOsNet
{
    private readonly Dictionary<string, (int From, int Times, Errno Error)> _faults = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

    /// <summary>Names of the calls made, in order (failed ones too).</summary>
    public List<string> Calls { get; } = new();

    /// <summary>The addresses passed to connect, in order.</summary>
    public List<SockAddr> Connected { get; } = new();

    /// <summary>Interest changes and closes, in order: <c>watch FD R W</c> (R, W: 1 or 0), <c>close FD</c>.</summary>
    public List<string> FdLog { get; } = new();

    /// <summary>The <paramref name="nth"/> call named <paramref name="call"/> (counted from now on, 1 = the next)
    /// and the <paramref name="times"/> - 1 after it fail with <paramref name="error"/>.</summary>
    public FaultyOs Fail(string call, Errno error, int nth = 1, int times = 1)
    {
        _faults[call] = (_counts.GetValueOrDefault(call) + nth, times, error);
        return this;
    }

    private bool Faulted(string call, out Errno error)
    {
        Calls.Add(call);
        int n = _counts[call] = _counts.GetValueOrDefault(call) + 1;
        error = Errno.None;
        if (_faults.TryGetValue(call, out var f) && n >= f.From && n < f.From + f.Times)
        {
            error = f.Error;
            return true;
        }
        return false;
    }

    private SysResult Do(string call, Func<SysResult> real) => Faulted(call, out var e) ? e : real();

    private SysResult<T> Do<T>(string call, Func<SysResult<T>> real) => Faulted(call, out var e) ? e : real();

    public SysResult<Fd> OpenTunControl() => Do(nameof(OpenTunControl), kernel.OpenTunControl);
    public SysResult<Fd> OpenVhostNet() => Do(nameof(OpenVhostNet), kernel.OpenVhostNet);
    public SysResult SetNonBlocking(Fd fd) => Do(nameof(SetNonBlocking), () => kernel.SetNonBlocking(fd));
    public SysResult Close(Fd fd)
    {
        FdLog.Add($"close {fd.Number}");
        return Do(nameof(Close), () => kernel.Close(fd));
    }
    public SysResult<Fd> TakeNamedFd(string name) => Do(nameof(TakeNamedFd), () => kernel.TakeNamedFd(name));
    public SysResult<TunFlags> TunGetFeatures(Fd fd) => Do(nameof(TunGetFeatures), () => kernel.TunGetFeatures(fd));

    public SysResult<string> TunSetIff(Fd fd, string name, TunFlags flags) =>
        Do(nameof(TunSetIff), () => kernel.TunSetIff(fd, name, flags));

    public SysResult<TunInterfaceInfo> TunGetIff(Fd fd) => Do(nameof(TunGetIff), () => kernel.TunGetIff(fd));

    public SysResult TunSetVnetHdrSize(Fd fd, int bytes) =>
        Do(nameof(TunSetVnetHdrSize), () => kernel.TunSetVnetHdrSize(fd, bytes));

    public SysResult TunSetOffload(Fd fd, TunOffload offload) =>
        Do(nameof(TunSetOffload), () => kernel.TunSetOffload(fd, offload));

    public SysResult TunSetSndBuf(Fd fd, int bytes) => Do(nameof(TunSetSndBuf), () => kernel.TunSetSndBuf(fd, bytes));
    public SysResult TunSetVnetLe(Fd fd, bool on) => Do(nameof(TunSetVnetLe), () => kernel.TunSetVnetLe(fd, on));
    public SysResult TunSetVnetBe(Fd fd, bool on) => Do(nameof(TunSetVnetBe), () => kernel.TunSetVnetBe(fd, on));

    public SysResult TunSetQueue(Fd fd, TunFlags attachOrDetach) =>
        Do(nameof(TunSetQueue), () => kernel.TunSetQueue(fd, attachOrDetach));

    public SysResult TunSetSteeringEbpf(Fd fd, int programFd) =>
        Do(nameof(TunSetSteeringEbpf), () => kernel.TunSetSteeringEbpf(fd, programFd));

    public SysResult TunSetFilterEbpf(Fd fd, int programFd) =>
        Do(nameof(TunSetFilterEbpf), () => kernel.TunSetFilterEbpf(fd, programFd));

    public SysResult TunClearTxFilter(Fd fd) => Do(nameof(TunClearTxFilter), () => kernel.TunClearTxFilter(fd));
    public SysResult TunDetachFilter(Fd fd) => Do(nameof(TunDetachFilter), () => kernel.TunDetachFilter(fd));

    public SysResult<int> Read(Fd fd, Span<byte> buffer) =>
        Faulted(nameof(Read), out var e) ? e : kernel.Read(fd, buffer);

    public SysResult<int> Write(Fd fd, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body) =>
        Faulted(nameof(Write), out var e) ? e : kernel.Write(fd, head, body);

    public void Watch(Fd fd, IFdHandler handler, bool readable, bool writable)
    {
        Calls.Add(nameof(Watch));
        FdLog.Add($"watch {fd.Number} {(readable ? 1 : 0)} {(writable ? 1 : 0)}");
        kernel.Watch(fd, handler, readable, writable);
    }

    public ChildOutcome RunScript(string path, string ifname, Fd keepOpen) => kernel.RunScript(path, ifname, keepOpen);
    public HelperOutcome RunBridgeHelper(HelperLaunch launch) => kernel.RunBridgeHelper(launch);

    public VhostInitResult VhostNetInit(Fd vhostFd, Fd tapFd, bool tapHasVnetHdr, uint busyloopTimeoutUs) =>
        kernel.VhostNetInit(vhostFd, tapFd, tapHasVnetHdr, busyloopTimeoutUs);

    public SysResult VhostNetStart(Fd vhostFd, Fd tapFd) =>
        Do(nameof(VhostNetStart), () => kernel.VhostNetStart(vhostFd, tapFd));

    public SysResult VhostNetStop(Fd vhostFd) => Do(nameof(VhostNetStop), () => kernel.VhostNetStop(vhostFd));
    public void VhostNetCleanup(Fd vhostFd) => kernel.VhostNetCleanup(vhostFd);
    public void Report(Diagnostic diagnostic) => kernel.Report(diagnostic);

    public long ClockMonotonicNs() => kernel.ClockMonotonicNs();
    public SysResult<Fd> TimerFdCreate() => Do(nameof(TimerFdCreate), kernel.TimerFdCreate);

    public SysResult TimerFdSetTime(Fd fd, long dueNs) =>
        Do(nameof(TimerFdSetTime), () => kernel.TimerFdSetTime(fd, dueNs));

    public SysResult<Fd> Socket(SockDomain domain, SockType type) => Do(nameof(Socket), () => kernel.Socket(domain, type));

    public SysResult SetSockOpt(Fd fd, SockOption option, int value) =>
        Do(nameof(SetSockOpt), () => kernel.SetSockOpt(fd, option, value));

    public SysResult JoinMulticast(Fd fd, IPAddress group, IPAddress local) =>
        Do(nameof(JoinMulticast), () => kernel.JoinMulticast(fd, group, local));

    public SysResult SetMulticastInterface(Fd fd, IPAddress local) =>
        Do(nameof(SetMulticastInterface), () => kernel.SetMulticastInterface(fd, local));

    public SysResult Bind(Fd fd, SockAddr address) => Do(nameof(Bind), () => kernel.Bind(fd, address));
    public SysResult Listen(Fd fd, int backlog) => Do(nameof(Listen), () => kernel.Listen(fd, backlog));
    public SysResult<Fd> Accept(Fd fd) => Do(nameof(Accept), () => kernel.Accept(fd));
    public SysResult Connect(Fd fd, SockAddr address)
    {
        Connected.Add(address);
        return Do(nameof(Connect), () => kernel.Connect(fd, address));
    }

    public SysResult<PendingError> TakeSocketError(Fd fd) =>
        Do(nameof(TakeSocketError), () => kernel.TakeSocketError(fd));

    public SysResult<SockAddr> GetSockName(Fd fd) => Do(nameof(GetSockName), () => kernel.GetSockName(fd));
    public SysResult<SockAddr> GetPeerName(Fd fd) => Do(nameof(GetPeerName), () => kernel.GetPeerName(fd));

    public SysResult<int> SendTo(Fd fd, ReadOnlySpan<byte> datagram, SockAddr? destination) =>
        Faulted(nameof(SendTo), out var e) ? e : kernel.SendTo(fd, datagram, destination);

    public SysResult Unlink(string path) => Do(nameof(Unlink), () => kernel.Unlink(path));

    public SysResult<IReadOnlyList<IPAddress>> ResolveHost(string host) =>
        Do(nameof(ResolveHost), () => kernel.ResolveHost(host));
}
