using System.Globalization;

namespace Tap.Tests.Model.DataPath;

/// <summary>
/// How one kernel call is written in the log the model predicts and the harness observes. Plain numbers and errno
/// names only, so the model needs none of the product's types to speak it.
/// </summary>
public static class KernelCallText
{
    /// <summary>"0" for success, else the errno name.</summary>
    public static string Result(string? errno) => errno ?? "0";

    public static string Hex(int v) => "0x" + v.ToString("x", CultureInfo.InvariantCulture);

    public static string OpenTun(string result) => $"open(/dev/net/tun) = {result}";
    public static string OpenVhost(string result) => $"open(/dev/vhost-net) = {result}";
    public static string NonBlocking(int fd, string? errno) => $"fcntl({fd}, O_NONBLOCK) = {Result(errno)}";
    public static string Close(int fd, string? errno) => $"close({fd}) = {Result(errno)}";
    public static string GetFeatures(int fd, string result) => $"TUNGETFEATURES({fd}) = {result}";
    public static string SetIff(int fd, string name, int flags, string result) => $"TUNSETIFF({fd}, {name}, {Hex(flags)}) = {result}";
    public static string GetIff(int fd, string result) => $"TUNGETIFF({fd}) = {result}";
    public static string SetVnetHdrSize(int fd, int bytes, string? errno) => $"TUNSETVNETHDRSZ({fd}, {bytes}) = {Result(errno)}";
    public static string SetOffload(int fd, int mask, string? errno) => $"TUNSETOFFLOAD({fd}, {Hex(mask)}) = {Result(errno)}";
    public static string SetSndBuf(int fd, int bytes, string? errno) => $"TUNSETSNDBUF({fd}, {bytes}) = {Result(errno)}";
    public static string SetVnetLe(int fd, bool on, string? errno) => $"TUNSETVNETLE({fd}, {(on ? 1 : 0)}) = {Result(errno)}";
    public static string SetVnetBe(int fd, bool on, string? errno) => $"TUNSETVNETBE({fd}, {(on ? 1 : 0)}) = {Result(errno)}";
    public static string SetQueue(int fd, int flag, string? errno) => $"TUNSETQUEUE({fd}, {Hex(flag)}) = {Result(errno)}";
    public static string SetSteering(int fd, int prog, string? errno) => $"TUNSETSTEERINGEBPF({fd}, {prog}) = {Result(errno)}";
    public static string SetFilterEbpf(int fd, int prog, string? errno) => $"TUNSETFILTEREBPF({fd}, {prog}) = {Result(errno)}";
    public static string ClearTxFilter(int fd, string? errno) => $"TUNSETTXFILTER({fd}, 0) = {Result(errno)}";
    public static string DetachFilter(int fd, string? errno) => $"TUNDETACHFILTER({fd}) = {Result(errno)}";
    public static string Read(int fd, int bufferBytes, string result) => $"read({fd}, {bufferBytes}) = {result}";
    public static string Write(int fd, int head, int body, string result) => $"writev({fd}, {head}+{body}) = {result}";
    public static string Watch(int fd, bool readable, bool writable) => $"watch({fd}, r={(readable ? 1 : 0)}, w={(writable ? 1 : 0)})";
    public static string VhostInit(int vhostFd, int tapFd, bool hdr, uint pollUs, string result) =>
        $"vhost_init({vhostFd}, tap={tapFd}, hdr={(hdr ? 1 : 0)}, poll_us={pollUs}) = {result}";
    public static string VhostCleanup(int vhostFd) => $"vhost_cleanup({vhostFd})";
    public static string VhostStart(int vhostFd, int tapFd, string? error) =>
        $"vhost_set_backend({vhostFd}, {tapFd}) = {Result(error)}";
    public static string VhostStop(int vhostFd, string? error) => $"vhost_set_backend({vhostFd}, -1) = {Result(error)}";
    public static string Report(string kind, string message) => $"report {kind}: {message}";
    public static string Script(string path, string ifname, int keepFd) => $"script({path}, {ifname}, keep={keepFd})";
}
