using System.Globalization;
using System.Text;
using Tap.Core.Abi;

namespace Tap.Core.Os;

/// <summary>
/// The one description of every <see cref="IOsNet"/> call: its name and how its arguments are written
/// (docs/trace-format.md §8, which says how to add a call). The trace recorder and replayer (Tap.Trace) and the
/// simulated kernel's record (Tap.Sim) all spell a call with it, so a call reads the same in a trace and in a
/// simulated run, and the trace format (docs/trace-format.md §4) is what these methods write. A call with a result
/// is written <c>CALL -> RESULT</c> (<see cref="Line"/>, results in KernelCalls.Results.cs).
/// </summary>
public static partial class KernelCalls
{
    /// <summary>The token that separates a call from its result.</summary>
    public const string Arrow = "->";

    /// <summary>A call and its result, as one line.</summary>
    public static string Line(string call, string result) => string.Concat(call, " " + Arrow + " ", result);

    /// <summary>The payload spelling of the simulator's record: the length alone.</summary>
    public static StringBuilder PayloadLength(StringBuilder text, ReadOnlySpan<byte> payload) =>
        text.Append(payload.Length.ToString(CultureInfo.InvariantCulture));

    public static string OpenTunControl() => "OpenTunControl";
    public static string OpenVhostNet() => "OpenVhostNet";
    public static string SetNonBlocking(Fd fd) => "SetNonBlocking " + fd;
    public static string Close(Fd fd) => "Close " + fd;
    public static string TakeNamedFd(string name) => new StringBuilder("TakeNamedFd").SpStr(name).ToString();
    public static string TunGetFeatures(Fd fd) => "TunGetFeatures " + fd;

    public static string TunSetIff(Fd fd, string name, TunFlags flags) =>
        new StringBuilder("TunSetIff ").Append(fd).SpStr(name).SpFlags((uint)flags).ToString();

    public static string TunGetIff(Fd fd) => "TunGetIff " + fd;
    public static string TunSetVnetHdrSize(Fd fd, int bytes) => FdInt("TunSetVnetHdrSize ", fd, bytes);

    public static string TunSetOffload(Fd fd, TunOffload offload) =>
        new StringBuilder("TunSetOffload ").Append(fd).SpFlags((uint)offload).ToString();

    public static string TunSetSndBuf(Fd fd, int bytes) => FdInt("TunSetSndBuf ", fd, bytes);
    public static string TunSetVnetLe(Fd fd, bool on) => FdBool("TunSetVnetLe ", fd, on);
    public static string TunSetVnetBe(Fd fd, bool on) => FdBool("TunSetVnetBe ", fd, on);

    public static string TunSetQueue(Fd fd, TunFlags flags) =>
        new StringBuilder("TunSetQueue ").Append(fd).SpFlags((uint)flags).ToString();

    public static string TunSetSteeringEbpf(Fd fd, int programFd) => FdInt("TunSetSteeringEbpf ", fd, programFd);
    public static string TunSetFilterEbpf(Fd fd, int programFd) => FdInt("TunSetFilterEbpf ", fd, programFd);
    public static string TunClearTxFilter(Fd fd) => "TunClearTxFilter " + fd;
    public static string TunDetachFilter(Fd fd) => "TunDetachFilter " + fd;
    public static string Read(Fd fd, int bufferBytes) => FdInt("Read ", fd, bufferBytes);

    public static string Write(Fd fd, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, PayloadText payload)
    {
        var sb = new StringBuilder("Write ").Append(fd).Append(' ');
        return payload(payload(sb, head).Append(' '), body).ToString();
    }

    public static string Watch(Fd fd, bool readable, bool writable) =>
        new StringBuilder("Watch ").Append(fd).SpBool(readable).SpBool(writable).ToString();

    public static string RunScript(string path, string ifname, Fd keepOpen) =>
        new StringBuilder("RunScript").SpStr(path).SpStr(ifname).Append(' ').Append(keepOpen).ToString();

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
        new StringBuilder("VhostNetInit ").Append(vhostFd).Append(' ').Append(tapFd).SpBool(tapHasVnetHdr)
            .SpInt(busyloopTimeoutUs).ToString();

    public static string VhostNetCleanup(Fd vhostFd) => "VhostNetCleanup " + vhostFd;
    public static string VhostNetStart(Fd vhostFd, Fd tapFd) => FdInt("VhostNetStart ", vhostFd, tapFd.Number);
    public static string VhostNetStop(Fd vhostFd) => "VhostNetStop " + vhostFd;

    public static string Report(Diagnostic d) => new StringBuilder("Report ").Append(d.Kind switch
    {
        DiagnosticKind.Error => "error",
        DiagnosticKind.Warning => "warning",
        _ => "raw",
    }).SpStr(d.Message).ToString();

    private static string FdInt(string name, Fd fd, long value) =>
        new StringBuilder(name).Append(fd).SpInt(value).ToString();

    private static string FdBool(string name, Fd fd, bool value) =>
        new StringBuilder(name).Append(fd).SpBool(value).ToString();
}
