using Tap.Core.Abi;
using Tap.Core.Os;

namespace Tap.Fuzz.Targets;

/// <summary>
/// The kernel side of one tap fd for <see cref="FrameTarget"/>: frames the host wrote wait to be read, errors the
/// input chose are returned once, runts are refused as a tap refuses them, and every read and writev is checked
/// against the <see cref="FrameModel"/>.
/// Calls the frame path never makes are refused loudly, so a harness mismatch cannot pass for a finding's absence.
/// </summary>
internal sealed class FrameKernel(FrameModel model, bool vnetHdr) : IOsNet
{
    /// <summary>ETH_HLEN: a tap refuses a write whose frame is shorter (linux-tun.md section 9, writes rule 3).</summary>
    private const int EthHeaderBytes = 14;

    /// <summary>NET_BUFSIZE: the smallest buffer a 64 KiB GSO frame and its header fit in (R20).</summary>
    private const int MinReadBufferBytes = 69632;

    public static readonly Fd TapFd = new(3);

    private readonly Queue<byte[]> _hostFrames = new();
    private Errno _nextReadError;
    private Errno _nextWriteError;
    private bool _closed;
    private int _vnetHdrBytes = 10;

    public bool WatchedReadable { get; private set; }

    public bool WatchedWritable { get; private set; }

    /// <summary>Frames handed out by reads since the last <see cref="StartWakeup"/>.</summary>
    public int FramesThisWakeup { get; private set; }

    public int HostFramesWaiting => _hostFrames.Count;

    /// <summary>True once the tap closed its fd.</summary>
    public bool Closed => _closed;

    /// <summary>The next TUNSETVNETHDRSZ fails with EINVAL (a kernel without the size the peer asks for).</summary>
    public bool FailNextVnetHdrSize { get; set; }

    public void HostSends(byte[] frame) => _hostFrames.Enqueue(frame);

    public void FailNextRead(Errno error) => _nextReadError = error;

    public void FailNextWrite(Errno error) => _nextWriteError = error;

    public void StartWakeup() => FramesThisWakeup = 0;

    public SysResult<int> Read(Fd fd, Span<byte> buffer)
    {
        CheckUsable(fd, "read");
        FuzzFindingException.Check(buffer.Length >= MinReadBufferBytes,
            $"the tap read with a {buffer.Length}-byte buffer, smaller than NET_BUFSIZE ({MinReadBufferBytes})");
        if (_nextReadError != Errno.None)
        {
            var error = _nextReadError;
            _nextReadError = Errno.None;
            model.Broken |= error == Errno.EBADFD;
            return error;
        }
        if (!_hostFrames.TryDequeue(out var frame))
        {
            return Errno.EAGAIN;
        }
        frame.CopyTo(buffer);
        FramesThisWakeup++;
        model.HostFrameRead(frame);
        return frame.Length;
    }

    public SysResult<int> Write(Fd fd, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body)
    {
        CheckUsable(fd, "write");
        var error = _nextWriteError;
        _nextWriteError = Errno.None;
        int header = vnetHdr ? _vnetHdrBytes : 0;
        int total = head.Length + body.Length;
        if (error == Errno.None && (total < header || total - header < EthHeaderBytes))
        {
            error = Errno.EINVAL;   // a runt: the kernel takes nothing shorter than its header and an Ethernet header
        }
        model.HostWrite(head, body, done: error is not Errno.EAGAIN and not Errno.EINTR);
        if (error != Errno.None)
        {
            model.Broken |= error == Errno.EBADFD;
            return error;
        }
        return head.Length + body.Length;
    }

    public void Watch(Fd fd, IFdHandler handler, bool readable, bool writable)
    {
        FuzzFindingException.Check(fd == TapFd && !_closed, $"the tap watched fd {fd}, which it does not hold open");
        WatchedReadable = readable;
        WatchedWritable = writable;
    }

    public SysResult Close(Fd fd)
    {
        FuzzFindingException.Check(fd == TapFd && !_closed, $"the tap closed fd {fd}, which it does not hold open");
        _closed = true;
        WatchedReadable = WatchedWritable = false;
        return SysResult.Success;
    }

    public SysResult TunSetVnetHdrSize(Fd fd, int bytes)
    {
        CheckOpen(fd);
        if (FailNextVnetHdrSize)
        {
            FailNextVnetHdrSize = false;
            return Errno.EINVAL;
        }
        _vnetHdrBytes = bytes;
        return SysResult.Success;
    }

    public SysResult TunSetOffload(Fd fd, TunOffload offload) => CheckOpen(fd);

    public SysResult TunSetQueue(Fd fd, TunFlags attachOrDetach) => CheckOpen(fd);

    public void Report(Diagnostic diagnostic)
    {
    }

    public long ClockMonotonicNs() => throw NotOnFramePath();
    public SysResult<Fd> TimerFdCreate() => throw NotOnFramePath();
    public SysResult TimerFdSetTime(Fd fd, long dueNs) => throw NotOnFramePath();
    public SysResult<Fd> OpenTunControl() => throw NotOnFramePath();
    public SysResult<Fd> OpenVhostNet() => throw NotOnFramePath();
    public SysResult SetNonBlocking(Fd fd) => throw NotOnFramePath();
    public SysResult<Fd> TakeNamedFd(string name) => throw NotOnFramePath();
    public SysResult<TunFlags> TunGetFeatures(Fd fd) => throw NotOnFramePath();
    public SysResult<string> TunSetIff(Fd fd, string name, TunFlags flags) => throw NotOnFramePath();
    public SysResult<TunInterfaceInfo> TunGetIff(Fd fd) => throw NotOnFramePath();
    public SysResult TunSetSndBuf(Fd fd, int bytes) => throw NotOnFramePath();
    public SysResult TunSetVnetLe(Fd fd, bool on) => throw NotOnFramePath();
    public SysResult TunSetVnetBe(Fd fd, bool on) => throw NotOnFramePath();
    public SysResult TunSetSteeringEbpf(Fd fd, int programFd) => throw NotOnFramePath();

    public SysResult TunSetFilterEbpf(Fd fd, int programFd) => throw NotOnFramePath();

    public SysResult TunClearTxFilter(Fd fd) => throw NotOnFramePath();

    public SysResult TunDetachFilter(Fd fd) => throw NotOnFramePath();
    public ChildOutcome RunScript(string path, string ifname, Fd keepOpen) => throw NotOnFramePath();
    public HelperOutcome RunBridgeHelper(HelperLaunch launch) => throw NotOnFramePath();
    public VhostInitResult VhostNetInit(Fd vhostFd, Fd tapFd, bool tapHasVnetHdr, uint busyloopTimeoutUs) => throw NotOnFramePath();
    public void VhostNetCleanup(Fd vhostFd) => throw NotOnFramePath();
    public SysResult VhostNetStart(Fd vhostFd, Fd tapFd) => throw NotOnFramePath();
    public SysResult VhostNetStop(Fd vhostFd) => throw NotOnFramePath();

    private SysResult CheckOpen(Fd fd)
    {
        FuzzFindingException.Check(fd == TapFd && !_closed, $"an ioctl on fd {fd}, which the tap does not hold open");
        return SysResult.Success;
    }

    private void CheckUsable(Fd fd, string call)
    {
        CheckOpen(fd);
        FuzzFindingException.Check(!model.Broken, $"the tap called {call} after the kernel said EBADFD (D-17: the interface is gone)");
    }

    private static InvalidOperationException NotOnFramePath([System.Runtime.CompilerServices.CallerMemberName] string call = "") =>
        new($"the frame target's kernel has no {call}: the frame path should not call it");
}
