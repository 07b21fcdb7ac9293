using System.Globalization;
using System.Net;
using System.Text;
using Tap.Core.Abi;

namespace Tap.Core.Os;

/// <summary>
/// How the results of the calls are written (docs/trace-format.md §4): <c>ok</c> and the value, or
/// <c>err ERRNO</c>. Tap.Trace reads them back (TraceCalls).
/// </summary>
public static partial class KernelCalls
{
    public static string Result(SysResult r) => r.Ok ? "ok" : new StringBuilder("err").SpErrno(r.Error).ToString();
    public static string Result(SysResult<Fd> r) => r.Ok ? "ok " + r.Value : Err(r.Error);
    public static string Result(SysResult<TunFlags> r) => r.Ok ? Ok().SpFlags((uint)r.Value).ToString() : Err(r.Error);
    public static string Result(SysResult<string> r) => r.Ok ? Ok().SpStr(r.Value).ToString() : Err(r.Error);

    public static string Result(SysResult<TunInterfaceInfo> r) =>
        r.Ok ? Ok().SpStr(r.Value.Name).SpFlags((uint)r.Value.Flags).ToString() : Err(r.Error);

    public static string Result(SysResult<int> r) => r.Ok ? Ok().SpInt(r.Value).ToString() : Err(r.Error);

    /// <summary>A clock reading: <c>ok NS</c>.</summary>
    public static string Result(long ns) => "ok " + ns.ToString(CultureInfo.InvariantCulture);

    /// <summary>A read's result: the count and the bytes read, as <paramref name="payload"/> spells them.</summary>
    public static string ReadResult(SysResult<int> r, ReadOnlySpan<byte> buffer, PayloadText payload) =>
        r.Ok ? payload(Ok().SpInt(r.Value).Append(' '), buffer[..Math.Clamp(r.Value, 0, buffer.Length)]).ToString()
            : Err(r.Error);

    public static string Result(ChildOutcome c) => Child(new StringBuilder(), c).ToString();

    public static string Result(HelperOutcome h) =>
        Child(new StringBuilder(ReceiveWord(h.Receive)).Append(' ').Append(h.ReceivedFd).SpErrno(h.Error).Append(' '),
            h.Child).ToString();

    public static string Result(VhostInitResult v) => v.Ok ? "ok" : Ok("fail").SpStr(v.Detail ?? "").ToString();

    public static string Result(SysResult<PendingError> r) =>
        r.Ok ? Ok().SpErrno(r.Value.Error).ToString() : Err(r.Error);
    public static string Result(SysResult<SockAddr> r) => r.Ok ? Ok().SpStr(Addr(r.Value)).ToString() : Err(r.Error);

    public static string Result(SysResult<IReadOnlyList<IPAddress>> r)
    {
        if (!r.Ok)
        {
            return Err(r.Error);
        }
        var sb = Ok().SpInt(r.Value.Count);
        foreach (var a in r.Value)
        {
            sb.Append(' ').Append(a);
        }
        return sb.ToString();
    }

    private static StringBuilder Ok(string word = "ok") => new(word);

    private static string Err(Errno e) => Result(new SysResult(e));

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
}
