using System.Text;
using Tap.Core.Abi;
using Tap.Core.Os;

namespace Tap.Trace;

/// <summary>
/// The results of IOsNet calls read back from a trace (docs/trace-format.md §4), checked for answers no kernel
/// gives. Calls and results are written by <see cref="KernelCalls"/>, the one description of every call, which the
/// recorder writes with and the replayer compares with.
/// </summary>
public static partial class TraceCalls
{
    // Fds a kernel hands out are small; a hand-edited trace gets no further.
    private const int MaxFdNumber = 1 << 20;

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
    public static SysResult<Fd> ParseFd(IReadOnlyList<string> t) =>
        IsOk(t, 1) ? new Fd(FdNumber(t[1])) : ParseErr(t).Error;

    /// <exception cref="FormatException">Not a result of this shape.</exception>
    public static SysResult<TunFlags> ParseFlags(IReadOnlyList<string> t) =>
        IsOk(t, 1) ? (TunFlags)TraceText.Flags(t[1]) : ParseErr(t).Error;

    /// <exception cref="FormatException">Not a result of this shape.</exception>
    public static SysResult<string> ParseName(IReadOnlyList<string> t) =>
        IsOk(t, 1) ? InterfaceName(t[1]) : ParseErr(t).Error;

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
        return n >= 0 && n <= offeredBytes ? n
            : throw new FormatException($"the write returned {n} bytes of {offeredBytes} offered");
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
            throw new FormatException(
                $"expected a helper outcome (RECEIVE FD ERRNO END CODE ERRNO), found {t.Count} token(s)");
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

    private static bool IsOk(IReadOnlyList<string> t, int values) => t.Count == values + 1 && t[0] == "ok";

    private static SysResult ParseErr(IReadOnlyList<string> t)
    {
        if (t.Count == 2 && t[0] == "err")
        {
            var e = TraceText.ErrnoOf(t[1]);
            return e != Errno.None ? e : throw new FormatException("an error result needs an errno, found '-'");
        }
        throw new FormatException(t.Count == 0 ? "the call has no result"
            : $"unexpected result '{string.Join(' ', t)}'");
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
