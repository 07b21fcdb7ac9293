using System.Text;
using Tap.Core.Abi;
using Tap.Core.Os;

namespace Tap.Trace;

/// <summary>
/// The one spelling of every IOsNet call and result in a trace (docs/trace-format.md §4). The recorder writes with
/// it and the replayer compares with it, so a call matches its record exactly when the core made the same call.
/// </summary>
public static partial class TraceCalls
{
    /// <summary>The token that separates a call from its result inside a call record.</summary>
    public const string Arrow = "->";

    // Fds a kernel hands out are small; a hand-edited trace gets no further.
    private const int MaxFdNumber = 1 << 20;

    public static string OpenTunControl() => "OpenTunControl";
    public static string OpenVhostNet() => "OpenVhostNet";
    public static string SetNonBlocking(Fd fd) => "SetNonBlocking " + fd;
    public static string Close(Fd fd) => "Close " + fd;
    public static string TakeNamedFd(string name) => new StringBuilder("TakeNamedFd").SpStr(name).ToString();
    public static string TunGetFeatures(Fd fd) => "TunGetFeatures " + fd;
    public static string TunSetIff(Fd fd, string name, TunFlags flags) => new StringBuilder("TunSetIff ").Append(fd).SpStr(name).SpFlags((uint)flags).ToString();
    public static string TunGetIff(Fd fd) => "TunGetIff " + fd;
    public static string TunSetVnetHdrSize(Fd fd, int bytes) => new StringBuilder("TunSetVnetHdrSize ").Append(fd).SpInt(bytes).ToString();
    public static string TunSetOffload(Fd fd, TunOffload offload) => new StringBuilder("TunSetOffload ").Append(fd).SpFlags((uint)offload).ToString();
    public static string TunSetSndBuf(Fd fd, int bytes) => new StringBuilder("TunSetSndBuf ").Append(fd).SpInt(bytes).ToString();
    public static string TunSetVnetLe(Fd fd, bool on) => $"TunSetVnetLe {fd} {(on ? 1 : 0)}";
    public static string TunSetVnetBe(Fd fd, bool on) => $"TunSetVnetBe {fd} {(on ? 1 : 0)}";
    public static string TunSetQueue(Fd fd, TunFlags flags) => new StringBuilder("TunSetQueue ").Append(fd).SpFlags((uint)flags).ToString();
    public static string TunSetSteeringEbpf(Fd fd, int programFd) => new StringBuilder("TunSetSteeringEbpf ").Append(fd).SpInt(programFd).ToString();
    public static string TunSetFilterEbpf(Fd fd, int programFd) => new StringBuilder("TunSetFilterEbpf ").Append(fd).SpInt(programFd).ToString();
    public static string TunClearTxFilter(Fd fd) => $"TunClearTxFilter {fd}";
    public static string TunDetachFilter(Fd fd) => $"TunDetachFilter {fd}";
    public static string Read(Fd fd, int bufferBytes) => new StringBuilder("Read ").Append(fd).SpInt(bufferBytes).ToString();

    public static string Write(Fd fd, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, TracePayloads mode) =>
        new StringBuilder("Write ").Append(fd).SpBytes(head, mode).SpBytes(body, mode).ToString();

    public static string Watch(Fd fd, bool readable, bool writable) => $"Watch {fd} {(readable ? 1 : 0)} {(writable ? 1 : 0)}";
    public static string RunScript(string path, string ifname, Fd keepOpen) => new StringBuilder("RunScript").SpStr(path).SpStr(ifname).Append(' ').Append(keepOpen).ToString();

    public static string RunBridgeHelper(HelperLaunch launch)
    {
        var sb = new StringBuilder("RunBridgeHelper").SpStr(launch.Program).SpInt(launch.ArgsBeforeFd.Count);
        foreach (var a in launch.ArgsBeforeFd)
        {
            sb.SpStr(a);
        }
        sb.SpInt(launch.ArgsAfterFd.Count);
        foreach (var a in launch.ArgsAfterFd)
        {
            sb.SpStr(a);
        }
        return sb.ToString();
    }

    public static string VhostNetInit(Fd vhostFd, Fd tapFd, bool tapHasVnetHdr, uint busyloopTimeoutUs) =>
        $"VhostNetInit {vhostFd} {tapFd} {(tapHasVnetHdr ? 1 : 0)} {busyloopTimeoutUs}";

    public static string VhostNetCleanup(Fd vhostFd) => "VhostNetCleanup " + vhostFd;

    public static string VhostNetStart(Fd vhostFd, Fd tapFd) => $"VhostNetStart {vhostFd} {tapFd}";

    public static string VhostNetStop(Fd vhostFd) => "VhostNetStop " + vhostFd;

    public static string Report(Diagnostic d) => new StringBuilder("Report ").Append(d.Kind switch
    {
        DiagnosticKind.Error => "error",
        DiagnosticKind.Warning => "warning",
        _ => "raw",
    }).SpStr(d.Message).ToString();

    // ---- Results, as written ----

    public static string Result(SysResult r) => r.Ok ? "ok" : new StringBuilder("err").SpErrno(r.Error).ToString();
    public static string Result(SysResult<Fd> r) => r.Ok ? "ok " + r.Value : Result(new SysResult(r.Error));
    public static string Result(SysResult<TunFlags> r) => r.Ok ? new StringBuilder("ok").SpFlags((uint)r.Value).ToString() : Result(new SysResult(r.Error));
    public static string Result(SysResult<string> r) => r.Ok ? new StringBuilder("ok").SpStr(r.Value).ToString() : Result(new SysResult(r.Error));

    public static string Result(SysResult<TunInterfaceInfo> r) =>
        r.Ok ? new StringBuilder("ok").SpStr(r.Value.Name).SpFlags((uint)r.Value.Flags).ToString() : Result(new SysResult(r.Error));

    public static string Result(SysResult<int> r) => r.Ok ? new StringBuilder("ok").SpInt(r.Value).ToString() : Result(new SysResult(r.Error));

    public static string ReadResult(SysResult<int> r, ReadOnlySpan<byte> buffer, TracePayloads mode) =>
        r.Ok ? new StringBuilder("ok").SpInt(r.Value).SpBytes(buffer[..Math.Clamp(r.Value, 0, buffer.Length)], mode).ToString() : Result(new SysResult(r.Error));

    public static string Result(ChildOutcome c) => Child(new StringBuilder(), c).ToString();

    public static string Result(HelperOutcome h) =>
        Child(new StringBuilder(ReceiveWord(h.Receive)).Append(' ').Append(h.ReceivedFd).SpErrno(h.Error).Append(' '), h.Child).ToString();

    public static string Result(VhostInitResult v) => v.Ok ? "ok" : new StringBuilder("fail").SpStr(v.Detail ?? "").ToString();

    // ---- Results, as read back ----

    /// <exception cref="FormatException">Not a result of this shape.</exception>
    public static SysResult ParseSys(IReadOnlyList<string> t)
    {
        if (t.Count == 1 && t[0] == "ok")
        {
            return SysResult.Success;
        }
        return ParseErr(t);
    }

    /// <exception cref="FormatException">Not a result of this shape.</exception>
    public static SysResult<Fd> ParseFd(IReadOnlyList<string> t) => IsOk(t, 1) ? new Fd(FdNumber(t[1])) : ParseErr(t).Error;

    /// <exception cref="FormatException">Not a result of this shape.</exception>
    public static SysResult<TunFlags> ParseFlags(IReadOnlyList<string> t) => IsOk(t, 1) ? (TunFlags)TraceText.Flags(t[1]) : ParseErr(t).Error;

    /// <exception cref="FormatException">Not a result of this shape.</exception>
    public static SysResult<string> ParseName(IReadOnlyList<string> t) => IsOk(t, 1) ? InterfaceName(t[1]) : ParseErr(t).Error;

    /// <exception cref="FormatException">Not a result of this shape.</exception>
    public static SysResult<TunInterfaceInfo> ParseIff(IReadOnlyList<string> t) =>
        IsOk(t, 2) ? new TunInterfaceInfo(InterfaceName(t[1]), (TunFlags)TraceText.Flags(t[2])) : ParseErr(t).Error;

    /// <summary>A write's byte count, no more than was offered.</summary>
    /// <exception cref="FormatException">Not a result of this shape.</exception>
    public static SysResult<int> ParseWritten(IReadOnlyList<string> t, int offeredBytes)
    {
        if (!IsOk(t, 1))
        {
            return ParseErr(t).Error;
        }
        int n = TraceText.Int(t[1]);
        return n >= 0 && n <= offeredBytes ? n : throw new FormatException($"the write returned {n} bytes of {offeredBytes} offered");
    }

    /// <summary>
    /// A read's result, its payload copied into <paramref name="buffer"/> (zeros for a hashed payload).
    /// </summary>
    /// <exception cref="FormatException">Not a result of this shape, or a payload that does not fit.</exception>
    public static SysResult<int> ParseRead(IReadOnlyList<string> t, Span<byte> buffer)
    {
        if (!IsOk(t, 2))
        {
            return ParseErr(t).Error;
        }
        int n = TraceText.Int(t[1]);
        if (n < 0 || n > buffer.Length)
        {
            throw new FormatException($"the read returned {n} bytes into a buffer of {buffer.Length}");
        }
        if (t[2].StartsWith("x:", StringComparison.Ordinal))
        {
            byte[] data = TraceText.Unhex(t[2]);
            if (data.Length != n)
            {
                throw new FormatException($"the read returned {n} bytes but its payload holds {data.Length}");
            }
            data.CopyTo(buffer);
        }
        else
        {
            int len = TraceText.PayloadLength(t[2]);
            if (len != n)
            {
                throw new FormatException($"the read returned {n} bytes but its payload hash is of {len}");
            }
            buffer[..n].Clear();
        }
        return n;
    }

    /// <exception cref="FormatException">Not a child outcome.</exception>
    public static ChildOutcome ParseChild(IReadOnlyList<string> t, int at = 0)
    {
        if (t.Count != at + 3)
        {
            throw new FormatException($"expected a child's end (END CODE ERRNO), found {t.Count - at} token(s)");
        }
        var end = t[at] switch
        {
            "exited" => ChildEnd.Exited,
            "signaled" => ChildEnd.Signaled,
            "exec-failed" => ChildEnd.ExecFailed,
            "spawn-failed" => ChildEnd.SpawnFailed,
            "wait-failed" => ChildEnd.WaitFailed,
            "timed-out" => ChildEnd.TimedOut,
            var w => throw new FormatException($"unknown child end {TraceText.Shorten(w)}"),
        };
        int code = TraceText.Int(t[at + 1]);
        if (end == ChildEnd.Exited && code is < 0 or > 255 || end == ChildEnd.Signaled && code is < 1 or > 64)
        {
            throw new FormatException($"no child ends {t[at]} with {code}");
        }
        return new ChildOutcome(end, code, TraceText.ErrnoOf(t[at + 2]));
    }

    /// <exception cref="FormatException">Not a helper outcome.</exception>
    public static HelperOutcome ParseHelper(IReadOnlyList<string> t)
    {
        if (t.Count != 6)
        {
            throw new FormatException($"expected a helper outcome (RECEIVE FD ERRNO END CODE ERRNO), found {t.Count} token(s)");
        }
        var receive = t[0] switch
        {
            "fd" => HelperReceive.Fd,
            "eof" => HelperReceive.Eof,
            "no-fd" => HelperReceive.NoFd,
            "error" => HelperReceive.Error,
            "socketpair-failed" => HelperReceive.SocketPairFailed,
            var w => throw new FormatException($"unknown helper receive {TraceText.Shorten(w)}"),
        };
        int fd = TraceText.Int(t[1]);
        if (receive == HelperReceive.Fd)
        {
            fd = FdNumber(t[1]);
        }
        return new HelperOutcome(receive, new Fd(fd), TraceText.ErrnoOf(t[2]), ParseChild(t, 3));
    }

    /// <exception cref="FormatException">Not a vhost init result.</exception>
    public static VhostInitResult ParseVhost(IReadOnlyList<string> t) => t switch
    {
        ["ok"] => VhostInitResult.Success,
        ["fail", var detail] => VhostInitResult.Failure(TraceText.Unquote(detail)),
        _ => throw new FormatException("expected 'ok' or 'fail \"DETAIL\"'"),
    };

    private static string ReceiveWord(HelperReceive r) => r switch
    {
        HelperReceive.Fd => "fd",
        HelperReceive.Eof => "eof",
        HelperReceive.NoFd => "no-fd",
        HelperReceive.Error => "error",
        _ => "socketpair-failed",
    };

    private static StringBuilder Child(StringBuilder sb, ChildOutcome c) => sb.Append(c.End switch
    {
        ChildEnd.Exited => "exited",
        ChildEnd.Signaled => "signaled",
        ChildEnd.ExecFailed => "exec-failed",
        ChildEnd.SpawnFailed => "spawn-failed",
        ChildEnd.WaitFailed => "wait-failed",
        _ => "timed-out",
    }).SpInt(c.Code).SpErrno(c.Error);

    private static bool IsOk(IReadOnlyList<string> t, int values) => t.Count == values + 1 && t[0] == "ok";

    private static SysResult ParseErr(IReadOnlyList<string> t)
    {
        if (t.Count == 2 && t[0] == "err")
        {
            var e = TraceText.ErrnoOf(t[1]);
            return e != Errno.None ? e : throw new FormatException("an error result needs an errno, found '-'");
        }
        throw new FormatException(t.Count == 0 ? "the call has no result" : $"unexpected result '{string.Join(' ', t)}'");
    }

    private static int FdNumber(string token)
    {
        int n = TraceText.Int(token);
        return n is >= 0 and < MaxFdNumber ? n : throw new FormatException($"fd {n} is no fd a kernel hands out");
    }

    private static string InterfaceName(string token)
    {
        string name = TraceText.Unquote(token);
        int bytes = Encoding.UTF8.GetByteCount(name);
        return bytes is > 0 and <= NetLimits.IfNameMaxBytes && !name.Contains('/') && !name.Contains(' ')
            ? name
            : throw new FormatException($"{TraceText.Shorten(name)} is no interface name a kernel reports");
    }
}
