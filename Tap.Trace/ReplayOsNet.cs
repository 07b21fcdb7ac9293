using Tap.Core.Abi;
using Tap.Core.Os;

namespace Tap.Trace;

/// <summary>
/// An IOsNet that is a recorded kernel: each call must be the next record of the trace, argument for argument, and
/// gets that record's result. Needs no root, no TUN and no other process. A call that is not the recorded one stops
/// the replay with a <see cref="TraceDivergenceException"/>; a record no kernel could have written (an impossible
/// result) with a <see cref="TraceFormatException"/>.
/// </summary>
public sealed partial class ReplayOsNet(TraceFile trace) : IOsNet
{
    private readonly IReadOnlyList<TraceRecord> _records = trace.Records;
    private readonly SortedDictionary<int, (IFdHandler Handler, bool Readable, bool Writable)> _watches = new();
    private int _next;

    /// <summary>Where the recorded diagnostics go as they are replayed (stderr for <c>tapnet replay</c>).</summary>
    public Action<Diagnostic>? ReportSink { get; set; }

    /// <summary>Records consumed so far.</summary>
    public int Position => _next;

    /// <summary>The next record, or null at the end.</summary>
    public TraceRecord? Peek => _next < _records.Count ? _records[_next] : null;

    /// <summary>
    /// Takes the next record when it is an event. False at the end of the trace. A call or note there means the
    /// recorded core did something of its own at this point that the replayed one did not.
    /// </summary>
    public bool TryTakeEvent(out TraceRecord ev)
    {
        ev = null!;
        var next = Peek;
        if (next is null)
        {
            return false;
        }
        if (next.Kind != TraceRecordKind.Event)
        {
            throw Diverge(next, "nothing: the core waits for its next event");
        }
        _next++;
        ev = next;
        return true;
    }

    /// <summary>Checks that the core's outcome <paramref name="body"/> is the next record, a note.</summary>
    public void ExpectNote(string body)
    {
        var next = Peek;
        if (next is null || next.Kind != TraceRecordKind.Note || next.Body != body)
        {
            throw Diverge(next, "N " + body);
        }
        _next++;
    }

    /// <summary>
    /// The handler the core registered for fd <paramref name="fd"/>, and its interest; null when unwatched.
    /// </summary>
    public (IFdHandler Handler, bool Readable, bool Writable)? WatchOf(int fd) =>
        _watches.TryGetValue(fd, out var w) ? w : null;

    /// <summary>A divergence at <paramref name="expected"/>, with the records before it.</summary>
    public TraceDivergenceException Diverge(TraceRecord? expected, string actual)
    {
        int at = expected is null ? _records.Count : _next;
        int from = Math.Max(0, at - TraceDivergenceException.ContextRecords);
        var before = new List<TraceRecord>();
        for (int i = from; i < at; i++)
        {
            before.Add(_records[i]);
        }
        long endSeq = trace.HeaderRecords + _records.Count;
        return new TraceDivergenceException(expected, actual, before, endSeq);
    }

    public SysResult<Fd> OpenTunControl() => Answer(KernelCalls.OpenTunControl(), TraceCalls.ParseFd);
    public SysResult<Fd> OpenVhostNet() => Answer(KernelCalls.OpenVhostNet(), TraceCalls.ParseFd);
    public SysResult SetNonBlocking(Fd fd) => Answer(KernelCalls.SetNonBlocking(fd), TraceCalls.ParseSys);

    public SysResult Close(Fd fd)
    {
        var r = Answer(KernelCalls.Close(fd), TraceCalls.ParseSys);
        _watches.Remove(fd.Number);
        return r;
    }

    public SysResult<Fd> TakeNamedFd(string name) => Answer(KernelCalls.TakeNamedFd(name), TraceCalls.ParseFd);
    public SysResult<TunFlags> TunGetFeatures(Fd fd) => Answer(KernelCalls.TunGetFeatures(fd), TraceCalls.ParseFlags);

    public SysResult<string> TunSetIff(Fd fd, string name, TunFlags flags) =>
        Answer(KernelCalls.TunSetIff(fd, name, flags), TraceCalls.ParseName);

    public SysResult<TunInterfaceInfo> TunGetIff(Fd fd) => Answer(KernelCalls.TunGetIff(fd), TraceCalls.ParseIff);

    public SysResult TunSetVnetHdrSize(Fd fd, int bytes) =>
        Answer(KernelCalls.TunSetVnetHdrSize(fd, bytes), TraceCalls.ParseSys);

    public SysResult TunSetOffload(Fd fd, TunOffload offload) =>
        Answer(KernelCalls.TunSetOffload(fd, offload), TraceCalls.ParseSys);

    public SysResult TunSetSndBuf(Fd fd, int bytes) => Answer(KernelCalls.TunSetSndBuf(fd, bytes), TraceCalls.ParseSys);
    public SysResult TunSetVnetLe(Fd fd, bool on) => Answer(KernelCalls.TunSetVnetLe(fd, on), TraceCalls.ParseSys);
    public SysResult TunSetVnetBe(Fd fd, bool on) => Answer(KernelCalls.TunSetVnetBe(fd, on), TraceCalls.ParseSys);

    public SysResult TunSetQueue(Fd fd, TunFlags attachOrDetach) =>
        Answer(KernelCalls.TunSetQueue(fd, attachOrDetach), TraceCalls.ParseSys);

    public SysResult TunSetSteeringEbpf(Fd fd, int programFd) =>
        Answer(KernelCalls.TunSetSteeringEbpf(fd, programFd), TraceCalls.ParseSys);

    public SysResult TunSetFilterEbpf(Fd fd, int programFd) =>
        Answer(KernelCalls.TunSetFilterEbpf(fd, programFd), TraceCalls.ParseSys);

    public SysResult TunClearTxFilter(Fd fd) => Answer(KernelCalls.TunClearTxFilter(fd), TraceCalls.ParseSys);

    public SysResult TunDetachFilter(Fd fd) => Answer(KernelCalls.TunDetachFilter(fd), TraceCalls.ParseSys);

    public SysResult<int> Read(Fd fd, Span<byte> buffer)
    {
        var record = Take(KernelCalls.Read(fd, buffer.Length));
        try
        {
            return TraceCalls.ParseRead(record.ResultTokens, buffer);
        }
        catch (FormatException e)
        {
            throw TraceFormatException.At(record, "Read: " + e.Message);
        }
    }

    public SysResult<int> Write(Fd fd, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body)
    {
        var record = Take(KernelCalls.Write(fd, head, body, TraceText.Payload(trace.Header.Payloads)));
        try
        {
            return TraceCalls.ParseWritten(record.ResultTokens, head.Length + body.Length);
        }
        catch (FormatException e)
        {
            throw TraceFormatException.At(record, "Write: " + e.Message);
        }
    }

    public void Watch(Fd fd, IFdHandler handler, bool readable, bool writable)
    {
        NoResult(Take(KernelCalls.Watch(fd, readable, writable)));
        if (readable || writable)
        {
            _watches[fd.Number] = (handler, readable, writable);
        }
        else
        {
            _watches.Remove(fd.Number);
        }
    }

    public ChildOutcome RunScript(string path, string ifname, Fd keepOpen) =>
        Answer(KernelCalls.RunScript(path, ifname, keepOpen), t => TraceCalls.ParseChild(t));

    public HelperOutcome RunBridgeHelper(HelperLaunch launch) =>
        Answer(KernelCalls.RunBridgeHelper(launch), TraceCalls.ParseHelper);

    public VhostInitResult VhostNetInit(Fd vhostFd, Fd tapFd, bool tapHasVnetHdr, uint busyloopTimeoutUs) =>
        Answer(KernelCalls.VhostNetInit(vhostFd, tapFd, tapHasVnetHdr, busyloopTimeoutUs), TraceCalls.ParseVhost);

    public SysResult VhostNetStart(Fd vhostFd, Fd tapFd) =>
        Answer(KernelCalls.VhostNetStart(vhostFd, tapFd), TraceCalls.ParseSys);

    public SysResult VhostNetStop(Fd vhostFd) => Answer(KernelCalls.VhostNetStop(vhostFd), TraceCalls.ParseSys);

    public void VhostNetCleanup(Fd vhostFd) => NoResult(Take(KernelCalls.VhostNetCleanup(vhostFd)));

    public void Report(Diagnostic diagnostic)
    {
        NoResult(Take(KernelCalls.Report(diagnostic)));
        ReportSink?.Invoke(diagnostic);
    }

    private T Answer<T>(string call, Func<IReadOnlyList<string>, T> parse)
    {
        var record = Take(call);
        try
        {
            return parse(record.ResultTokens);
        }
        catch (FormatException e)
        {
            throw TraceFormatException.At(record, $"{call.Split(' ')[0]}: {e.Message}");
        }
    }

    private static void NoResult(TraceRecord record)
    {
        if (record.ResultTokens.Count > 0)
        {
            throw TraceFormatException.At(record, "this call has no result, but the record gives one");
        }
    }

    private TraceRecord Take(string call)
    {
        var next = Peek;
        if (next is null || next.Kind != TraceRecordKind.Call || !Matches(next.CallText, call))
        {
            throw Diverge(next, "C " + call);
        }
        _next++;
        return next;
    }

    /// <summary>
    /// Exact, except that with hashed payloads the replayed bytes are zeros, so a payload matches by length.
    /// </summary>
    private bool Matches(string recorded, string actual)
    {
        if (recorded == actual)
        {
            return true;
        }
        if (trace.Header.Payloads != TracePayloads.Hash || !actual.StartsWith("Write ", StringComparison.Ordinal))
        {
            return false;
        }
        var r = TraceText.Split(recorded);
        var a = TraceText.Split(actual);
        if (r.Count != a.Count)
        {
            return false;
        }
        for (int i = 0; i < r.Count; i++)
        {
            bool payload = i >= 2 && r[i].Contains('#') && a[i].Contains('#');
            if (payload ? r[i][..r[i].IndexOf('#')] != a[i][..a[i].IndexOf('#')] : r[i] != a[i])
            {
                return false;
            }
        }
        return true;
    }
}
