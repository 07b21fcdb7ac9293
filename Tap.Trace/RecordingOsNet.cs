using System.Text;
using Tap.Core.Abi;
using Tap.Core.Net;
using Tap.Core.Os;

namespace Tap.Trace;

/// <summary>
/// Records every call made through it to a <see cref="TraceWriter"/>, with arguments and result, and passes it on
/// to the IOsNet it wraps (a real kernel or the simulated one). Readiness the main loop dispatches is recorded
/// through the handlers it hands the loop; the front end adds its own events through <see cref="ITraceEvents"/>,
/// and completions arrive as an <see cref="INetEventObserver"/>. Only in the chain when a trace is wanted, so the
/// packet path without one is untouched.
/// </summary>
public sealed partial class RecordingOsNet(IOsNet inner, TraceWriter writer) : IOsNet, ITraceEvents, INetEventObserver
{
    private readonly Dictionary<(IFdHandler Handler, int Fd), RecordingFdHandler> _handlers = new();

    public TraceWriter Writer => writer;

    private PayloadText Payload => TraceText.Payload(writer.Header.Payloads);

    /// <inheritdoc/>
    public void Event(string body) => writer.Write(TraceRecordKind.Event, body);

    /// <inheritdoc/>
    public void Note(string body) => writer.Write(TraceRecordKind.Note, body);

    /// <inheritdoc/>
    public void OnSendCompleted(NetClient sender, int length) =>
        Note(new StringBuilder("completed ").Client(sender).SpInt(length).ToString());

    /// <summary>Ends the trace cleanly (the end record).</summary>
    public void End() => writer.End();

    public SysResult<Fd> OpenTunControl() =>
        Rec(KernelCalls.OpenTunControl(), inner.OpenTunControl(), KernelCalls.Result);

    public SysResult<Fd> OpenVhostNet() => Rec(KernelCalls.OpenVhostNet(), inner.OpenVhostNet(), KernelCalls.Result);

    public SysResult SetNonBlocking(Fd fd) =>
        Rec(KernelCalls.SetNonBlocking(fd), inner.SetNonBlocking(fd), KernelCalls.Result);

    public SysResult Close(Fd fd)
    {
        foreach (var key in _handlers.Keys.Where(k => k.Fd == fd.Number).ToList())
        {
            _handlers.Remove(key);
        }
        return Rec(KernelCalls.Close(fd), inner.Close(fd), KernelCalls.Result);
    }

    public SysResult<Fd> TakeNamedFd(string name) =>
        Rec(KernelCalls.TakeNamedFd(name), inner.TakeNamedFd(name), KernelCalls.Result);

    public SysResult<TunFlags> TunGetFeatures(Fd fd) =>
        Rec(KernelCalls.TunGetFeatures(fd), inner.TunGetFeatures(fd), KernelCalls.Result);

    public SysResult<string> TunSetIff(Fd fd, string name, TunFlags flags) =>
        Rec(KernelCalls.TunSetIff(fd, name, flags), inner.TunSetIff(fd, name, flags), KernelCalls.Result);

    public SysResult<TunInterfaceInfo> TunGetIff(Fd fd) =>
        Rec(KernelCalls.TunGetIff(fd), inner.TunGetIff(fd), KernelCalls.Result);

    public SysResult TunSetVnetHdrSize(Fd fd, int bytes) =>
        Rec(KernelCalls.TunSetVnetHdrSize(fd, bytes), inner.TunSetVnetHdrSize(fd, bytes), KernelCalls.Result);

    public SysResult TunSetOffload(Fd fd, TunOffload offload) =>
        Rec(KernelCalls.TunSetOffload(fd, offload), inner.TunSetOffload(fd, offload), KernelCalls.Result);

    public SysResult TunSetSndBuf(Fd fd, int bytes) =>
        Rec(KernelCalls.TunSetSndBuf(fd, bytes), inner.TunSetSndBuf(fd, bytes), KernelCalls.Result);

    public SysResult TunSetVnetLe(Fd fd, bool on) =>
        Rec(KernelCalls.TunSetVnetLe(fd, on), inner.TunSetVnetLe(fd, on), KernelCalls.Result);

    public SysResult TunSetVnetBe(Fd fd, bool on) =>
        Rec(KernelCalls.TunSetVnetBe(fd, on), inner.TunSetVnetBe(fd, on), KernelCalls.Result);

    public SysResult TunSetQueue(Fd fd, TunFlags attachOrDetach) =>
        Rec(KernelCalls.TunSetQueue(fd, attachOrDetach), inner.TunSetQueue(fd, attachOrDetach), KernelCalls.Result);

    public SysResult TunSetSteeringEbpf(Fd fd, int programFd) =>
        Rec(KernelCalls.TunSetSteeringEbpf(fd, programFd), inner.TunSetSteeringEbpf(fd, programFd), KernelCalls.Result);

    public SysResult TunSetFilterEbpf(Fd fd, int programFd) =>
        Rec(KernelCalls.TunSetFilterEbpf(fd, programFd), inner.TunSetFilterEbpf(fd, programFd), KernelCalls.Result);

    public SysResult TunClearTxFilter(Fd fd) =>
        Rec(KernelCalls.TunClearTxFilter(fd), inner.TunClearTxFilter(fd), KernelCalls.Result);

    public SysResult TunDetachFilter(Fd fd) =>
        Rec(KernelCalls.TunDetachFilter(fd), inner.TunDetachFilter(fd), KernelCalls.Result);

    public SysResult<int> Read(Fd fd, Span<byte> buffer)
    {
        var r = inner.Read(fd, buffer);
        Call(KernelCalls.Read(fd, buffer.Length), KernelCalls.ReadResult(r, buffer, Payload));
        return r;
    }

    public SysResult<int> Write(Fd fd, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body)
    {
        // Spelled before the call: a kernel that takes the bytes may not leave them as they were.
        string call = KernelCalls.Write(fd, head, body, Payload);
        var r = inner.Write(fd, head, body);
        Call(call, KernelCalls.Result(r));
        return r;
    }

    public void Watch(Fd fd, IFdHandler handler, bool readable, bool writable)
    {
        writer.Write(TraceRecordKind.Call, KernelCalls.Watch(fd, readable, writable));
        if (!_handlers.TryGetValue((handler, fd.Number), out var recording))
        {
            recording = new RecordingFdHandler(this, fd, handler);
            _handlers[(handler, fd.Number)] = recording;
        }
        inner.Watch(fd, recording, readable, writable);
    }

    public ChildOutcome RunScript(string path, string ifname, Fd keepOpen) =>
        Rec(KernelCalls.RunScript(path, ifname, keepOpen), inner.RunScript(path, ifname, keepOpen), KernelCalls.Result);

    public HelperOutcome RunBridgeHelper(HelperLaunch launch) =>
        Rec(KernelCalls.RunBridgeHelper(launch), inner.RunBridgeHelper(launch), KernelCalls.Result);

    public VhostInitResult VhostNetInit(Fd vhostFd, Fd tapFd, bool tapHasVnetHdr, uint busyloopTimeoutUs) =>
        Rec(KernelCalls.VhostNetInit(vhostFd, tapFd, tapHasVnetHdr, busyloopTimeoutUs),
            inner.VhostNetInit(vhostFd, tapFd, tapHasVnetHdr, busyloopTimeoutUs), KernelCalls.Result);

    public SysResult VhostNetStart(Fd vhostFd, Fd tapFd) =>
        Rec(KernelCalls.VhostNetStart(vhostFd, tapFd), inner.VhostNetStart(vhostFd, tapFd), KernelCalls.Result);

    public SysResult VhostNetStop(Fd vhostFd) =>
        Rec(KernelCalls.VhostNetStop(vhostFd), inner.VhostNetStop(vhostFd), KernelCalls.Result);

    public void VhostNetCleanup(Fd vhostFd)
    {
        inner.VhostNetCleanup(vhostFd);
        writer.Write(TraceRecordKind.Call, KernelCalls.VhostNetCleanup(vhostFd));
    }

    public void Report(Diagnostic diagnostic)
    {
        writer.Write(TraceRecordKind.Call, KernelCalls.Report(diagnostic));
        inner.Report(diagnostic);
    }

    private T Rec<T>(string call, T result, Func<T, string> spell)
    {
        Call(call, spell(result));
        return result;
    }

    private void Call(string call, string result) => writer.Write(TraceRecordKind.Call, KernelCalls.Line(call, result));

    /// <summary>Records the dispatch, then hands it on.</summary>
    private sealed class RecordingFdHandler(RecordingOsNet owner, Fd fd, IFdHandler handler) : IFdHandler
    {
        private readonly string _readable = "readable " + fd;
        private readonly string _writable = "writable " + fd;

        public void OnReadable()
        {
            owner.Event(_readable);
            handler.OnReadable();
        }

        public void OnWritable()
        {
            owner.Event(_writable);
            handler.OnWritable();
        }
    }
}
