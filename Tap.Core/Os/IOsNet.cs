using Tap.Core.Abi;

namespace Tap.Core.Os;

/// <summary>
/// Everything the TAP backend asks of the operating system, shaped like the system calls behind it
/// (linux-tun.md). Implemented on a real kernel (Tap.Linux) and by a simulated kernel (Tap.Sim).
/// Calls never throw for an OS failure: they return the errno. EINTR may be returned from any call;
/// the core retries it where QEMU does.
/// </summary>
public partial interface IOsNet
{
    /// <summary><c>open("/dev/net/tun", O_RDWR | O_CLOEXEC)</c>.</summary>
    SysResult<Fd> OpenTunControl();

    /// <summary><c>open("/dev/vhost-net", O_RDWR | O_CLOEXEC)</c>.</summary>
    SysResult<Fd> OpenVhostNet();

    /// <summary>Sets O_NONBLOCK on <paramref name="fd"/>; EBADF when it is not open.</summary>
    SysResult SetNonBlocking(Fd fd);

    /// <summary>Closes <paramref name="fd"/> and forgets any main-loop interest in it.</summary>
    SysResult Close(Fd fd);

    /// <summary>
    /// Takes an fd passed to the process under a name (QEMU's monitor <c>getfd</c>); ENOENT when unknown.
    /// </summary>
    SysResult<Fd> TakeNamedFd(string name);

    /// <summary>TUNGETFEATURES.</summary>
    SysResult<TunFlags> TunGetFeatures(Fd fd);

    /// <summary>
    /// TUNSETIFF with <paramref name="name"/> (may hold a <c>%d</c> template) and <paramref name="flags"/>; returns the
    /// kernel's name.
    /// </summary>
    SysResult<string> TunSetIff(Fd fd, string name, TunFlags flags);

    /// <summary>TUNGETIFF.</summary>
    SysResult<TunInterfaceInfo> TunGetIff(Fd fd);

    /// <summary>TUNSETVNETHDRSZ.</summary>
    SysResult TunSetVnetHdrSize(Fd fd, int bytes);

    /// <summary>TUNSETOFFLOAD.</summary>
    SysResult TunSetOffload(Fd fd, TunOffload offload);

    /// <summary>TUNSETSNDBUF.</summary>
    SysResult TunSetSndBuf(Fd fd, int bytes);

    /// <summary>TUNSETVNETLE.</summary>
    SysResult TunSetVnetLe(Fd fd, bool on);

    /// <summary>TUNSETVNETBE.</summary>
    SysResult TunSetVnetBe(Fd fd, bool on);

    /// <summary>TUNSETQUEUE with <see cref="TunFlags.AttachQueue"/> or <see cref="TunFlags.DetachQueue"/>.</summary>
    SysResult TunSetQueue(Fd fd, TunFlags attachOrDetach);

    /// <summary>TUNSETSTEERINGEBPF (-1 detaches).</summary>
    SysResult TunSetSteeringEbpf(Fd fd, int programFd);

    /// <summary>
    /// TUNSETFILTEREBPF (-1 detaches): the eBPF program that filters what the host sends into the tap.
    /// </summary>
    SysResult TunSetFilterEbpf(Fd fd, int programFd);

    /// <summary>TUNSETTXFILTER with no addresses: the device's MAC filter lets every frame through.</summary>
    SysResult TunClearTxFilter(Fd fd);

    /// <summary>TUNDETACHFILTER: removes the classic socket filter from every queue of a tap.</summary>
    SysResult TunDetachFilter(Fd fd);

    /// <summary>One <c>read</c>: at most one frame.</summary>
    SysResult<int> Read(Fd fd, Span<byte> buffer);

    /// <summary>
    /// One <see cref="Read"/> that may lend the frame rather than copy it: <paramref name="frame"/> is what was read,
    /// in <paramref name="buffer"/> or in the system's own memory (io_uring's read buffers), and stays valid until the
    /// next read on <paramref name="fd"/> or until the handler that read it returns, whichever comes first. A
    /// <see cref="Write"/> of the lent frame in that time may then write it from where it is.
    /// </summary>
    SysResult<int> ReadFrame(Fd fd, Span<byte> buffer, out ReadOnlySpan<byte> frame)
    {
        var r = Read(fd, buffer);
        frame = r.Ok ? buffer[..Math.Clamp(r.Value, 0, buffer.Length)] : default;
        return r;
    }

    /// <summary>
    /// One <c>writev</c> of <paramref name="head"/> then <paramref name="body"/> (either may be empty).
    /// </summary>
    SysResult<int> Write(Fd fd, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body);

    /// <summary>
    /// Sets the main loop's interest in <paramref name="fd"/>; with neither flag the fd is not watched at all.
    /// </summary>
    void Watch(Fd fd, IFdHandler handler, bool readable, bool writable);

    /// <summary>
    /// Runs a network script with argv <c>[path, ifname]</c>; the child keeps fds 0-2 and <paramref name="keepOpen"/>
    /// only.
    /// </summary>
    ChildOutcome RunScript(string path, string ifname, Fd keepOpen);

    /// <summary>Runs a bridge helper and receives the tap fd it sends (B1-B8).</summary>
    HelperOutcome RunBridgeHelper(HelperLaunch launch);

    /// <summary>
    /// vhost-net init for one queue pair on <paramref name="vhostFd"/> serving <paramref name="tapFd"/>.
    /// </summary>
    VhostInitResult VhostNetInit(Fd vhostFd, Fd tapFd, bool tapHasVnetHdr, uint busyloopTimeoutUs);

    /// <summary>
    /// <c>VHOST_NET_SET_BACKEND {i, tapFd}</c> for both virtqueues of <paramref name="vhostFd"/> (vhost-net §3.2 step
    /// 7): the kernel worker takes over the tap's data path. On failure nothing stays attached.
    /// </summary>
    SysResult VhostNetStart(Fd vhostFd, Fd tapFd);

    /// <summary>
    /// <c>VHOST_NET_SET_BACKEND {i, -1}</c> for both virtqueues (vhost-net §3.3 step 1): the worker lets go of the
    /// tap.
    /// </summary>
    SysResult VhostNetStop(Fd vhostFd);

    /// <summary>Undoes <see cref="VhostNetInit"/>; the vhost fd itself is closed separately.</summary>
    void VhostNetCleanup(Fd vhostFd);

    /// <summary>Writes one diagnostic line to the user (QEMU's stderr).</summary>
    void Report(Diagnostic diagnostic);
}
