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

    private TracePayloads Mode => writer.Header.Payloads;

    /// <inheritdoc/>
    public void Event(string body) => writer.Write(TraceRecordKind.Event, body);

    /// <inheritdoc/>
    public void Note(string body) => writer.Write(TraceRecordKind.Note, body);

    /// <inheritdoc/>
    public void OnSendCompleted(NetClient sender, int length) =>
        Note(new StringBuilder("completed ").Client(sender).SpInt(length).ToString());

    /// <summary>Ends the trace cleanly (the end record).</summary>
    public void End() => writer.End();

    public SysResult<Fd> OpenTunControl() => Rec(TraceCalls.OpenTunControl(), inner.OpenTunControl(), TraceCalls.Result);
    public SysResult<Fd> OpenVhostNet() => Rec(TraceCalls.OpenVhostNet(), inner.OpenVhostNet(), TraceCalls.Result);
    public SysResult SetNonBlocking(Fd fd) => Rec(TraceCalls.SetNonBlocking(fd), inner.SetNonBlocking(fd), TraceCalls.Result);

    public SysResult Close(Fd fd)
    {
        foreach (var key in _handlers.Keys.Where(k => k.Fd == fd.Number).ToList())
        {
            _handlers.Remove(key);
        }
        return Rec(TraceCalls.Close(fd), inner.Close(fd), TraceCalls.Result);
    }

    public SysResult<Fd> TakeNamedFd(string name) => Rec(TraceCalls.TakeNamedFd(name), inner.TakeNamedFd(name), TraceCalls.Result);
    public SysResult<TunFlags> TunGetFeatures(Fd fd) => Rec(TraceCalls.TunGetFeatures(fd), inner.TunGetFeatures(fd), TraceCalls.Result);
    public SysResult<string> TunSetIff(Fd fd, string name, TunFlags flags) => Rec(TraceCalls.TunSetIff(fd, name, flags), inner.TunSetIff(fd, name, flags), TraceCalls.Result);
    public SysResult<TunInterfaceInfo> TunGetIff(Fd fd) => Rec(TraceCalls.TunGetIff(fd), inner.TunGetIff(fd), TraceCalls.Result);
    public SysResult TunSetVnetHdrSize(Fd fd, int bytes) => Rec(TraceCalls.TunSetVnetHdrSize(fd, bytes), inner.TunSetVnetHdrSize(fd, bytes), TraceCalls.Result);
    public SysResult TunSetOffload(Fd fd, TunOffload offload) => Rec(TraceCalls.TunSetOffload(fd, offload), inner.TunSetOffload(fd, offload), TraceCalls.Result);
    public SysResult TunSetSndBuf(Fd fd, int bytes) => Rec(TraceCalls.TunSetSndBuf(fd, bytes), inner.TunSetSndBuf(fd, bytes), TraceCalls.Result);
    public SysResult TunSetVnetLe(Fd fd, bool on) => Rec(TraceCalls.TunSetVnetLe(fd, on), inner.TunSetVnetLe(fd, on), TraceCalls.Result);
    public SysResult TunSetVnetBe(Fd fd, bool on) => Rec(TraceCalls.TunSetVnetBe(fd, on), inner.TunSetVnetBe(fd, on), TraceCalls.Result);
    public SysResult TunSetQueue(Fd fd, TunFlags attachOrDetach) => Rec(TraceCalls.TunSetQueue(fd, attachOrDetach), inner.TunSetQueue(fd, attachOrDetach), TraceCalls.Result);
    public SysResult TunSetSteeringEbpf(Fd fd, int programFd) => Rec(TraceCalls.TunSetSteeringEbpf(fd, programFd), inner.TunSetSteeringEbpf(fd, programFd), TraceCalls.Result);

    public SysResult TunSetFilterEbpf(Fd fd, int programFd) => Rec(TraceCalls.TunSetFilterEbpf(fd, programFd), inner.TunSetFilterEbpf(fd, programFd), TraceCalls.Result);

    public SysResult TunClearTxFilter(Fd fd) => Rec(TraceCalls.TunClearTxFilter(fd), inner.TunClearTxFilter(fd), TraceCalls.Result);

    public SysResult TunDetachFilter(Fd fd) => Rec(TraceCalls.TunDetachFilter(fd), inner.TunDetachFilter(fd), TraceCalls.Result);

    public SysResult<int> Read(Fd fd, Span<byte> buffer)
    {
        var r = inner.Read(fd, buffer);
        Call(TraceCalls.Read(fd, buffer.Length), TraceCalls.ReadResult(r, buffer, Mode));
        return r;
    }

    public SysResult<int> Write(Fd fd, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body)
    {
        // Spelled before the call: a kernel that takes the bytes may not leave them as they were.
        string call = TraceCalls.Write(fd, head, body, Mode);
        var r = inner.Write(fd, head, body);
        Call(call, TraceCalls.Result(r));
        return r;
    }

    public void Watch(Fd fd, IFdHandler handler, bool readable, bool writable)
    {
        writer.Write(TraceRecordKind.Call, TraceCalls.Watch(fd, readable, writable));
        if (!_handlers.TryGetValue((handler, fd.Number), out var recording))
        {
            recording = new RecordingFdHandler(this, fd, handler);
            _handlers[(handler, fd.Number)] = recording;
        }
        inner.Watch(fd, recording, readable, writable);
    }

    public ChildOutcome RunScript(string path, string ifname, Fd keepOpen) =>
        Rec(TraceCalls.RunScript(path, ifname, keepOpen), inner.RunScript(path, ifname, keepOpen), TraceCalls.Result);

    public HelperOutcome RunBridgeHelper(HelperLaunch launch) => Rec(TraceCalls.RunBridgeHelper(launch), inner.RunBridgeHelper(launch), TraceCalls.Result);

    public VhostInitResult VhostNetInit(Fd vhostFd, Fd tapFd, bool tapHasVnetHdr, uint busyloopTimeoutUs) =>
        Rec(TraceCalls.VhostNetInit(vhostFd, tapFd, tapHasVnetHdr, busyloopTimeoutUs), inner.VhostNetInit(vhostFd, tapFd, tapHasVnetHdr, busyloopTimeoutUs), TraceCalls.Result);

    public SysResult VhostNetStart(Fd vhostFd, Fd tapFd) =>
        Rec(TraceCalls.VhostNetStart(vhostFd, tapFd), inner.VhostNetStart(vhostFd, tapFd), TraceCalls.Result);

    public SysResult VhostNetStop(Fd vhostFd) =>
        Rec(TraceCalls.VhostNetStop(vhostFd), inner.VhostNetStop(vhostFd), TraceCalls.Result);

    public void VhostNetCleanup(Fd vhostFd)
    {
        inner.VhostNetCleanup(vhostFd);
        writer.Write(TraceRecordKind.Call, TraceCalls.VhostNetCleanup(vhostFd));
    }

    public void Report(Diagnostic diagnostic)
    {
        writer.Write(TraceRecordKind.Call, TraceCalls.Report(diagnostic));
        inner.Report(diagnostic);
    }

    private T Rec<T>(string call, T result, Func<T, string> spell)
    {
        Call(call, spell(result));
        return result;
    }

    private void Call(string call, string result) => writer.Write(TraceRecordKind.Call, string.Concat(call, " " + TraceCalls.Arrow + " ", result));

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
