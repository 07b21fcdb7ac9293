using Tap.Core.Abi;
using Tap.Core.Net;
using Tap.Core.Os;

namespace Tap.Core.Backend;

/// <summary>
/// One TAP queue client (QEMU's TAPState): the two data paths, the control operations and cleanup
/// (tap-backend.md R1-R42). Every effect goes through <see cref="IOsNet"/>; every event comes in as a call.
/// </summary>
public sealed partial class TapBackend : NetClient, IFdHandler, INetCompletion, INetExitNotifier
{
    /// <summary>
    /// Frames forwarded per readable callback at most (R22): a host that keeps sending must not starve the rest of
    /// the main loop (QEMU's fairness limit, verified as bursts of exactly 50).
    /// </summary>
    public const int MaxPacketsPerWakeup = 50;

    /// <summary>
    /// Zero bytes prepended for the kernel's header when the peer does not supply one (R11); 20 is the largest length.
    /// </summary>
    private static readonly byte[] ZeroHeader = new byte[VirtioNetHeader.V1HashSize];

    private readonly IOsNet _os;
    private readonly byte[] _buf = new byte[NetLimits.NetBufSizeBytes];
    private readonly byte[] _minFrame = new byte[NetLimits.EthZLenBytes];
    private Fd _fd;
    private bool _fdOpen;
    private bool _readPoll;
    private bool _writePoll;
    private bool _enabled;
    private bool _broken;
    private bool _vhostRunning;
    private Errno _lastReportedWriteError;

    private TapBackend(NetStack stack, NetClient? peer, string model, string name, IOsNet os, Fd fd, bool vnetHdr)
        : base(stack, peer, model, name)
    {
        _os = os;
        _fd = fd;
        _fdOpen = true;
        HostVnetHdrLen = vnetHdr ? VirtioNetHeader.Size : 0;
    }

    /// <summary>The tap fd; meaningful while <see cref="IsOpen"/>.</summary>
    public Fd Fd => _fd;

    /// <summary>False after cleanup closed the fd (I1).</summary>
    public bool IsOpen => _fdOpen;

    /// <summary>The header length the kernel puts in front of every frame on this fd (0 = none).</summary>
    public int HostVnetHdrLen { get; private set; }

    /// <summary>True once the peer took over the header (R30): frames then pass with their header untouched.</summary>
    public bool UsingVnetHdr { get; private set; }

    /// <summary>Read interest wanted (R1).</summary>
    public bool ReadPoll => _readPoll;

    /// <summary>Write interest wanted (R1).</summary>
    public bool WritePoll => _writePoll;

    /// <summary>False while this queue is detached (R26, R27).</summary>
    public bool Enabled => _enabled;

    /// <summary>True after the kernel reported the device gone (EBADFD): the fd is no longer watched (D-17).</summary>
    public bool Broken => _broken;

    /// <summary>True while the kernel's vhost worker owns this queue's data path (R25a-R25c).</summary>
    public bool VhostRunning => _vhostRunning;

    /// <summary>
    /// The read watch as last applied: read poll and enabled, not broken, not handed to vhost (R1, I2, R25c).
    /// </summary>
    public bool WatchingReadable => _readPoll && _enabled && !_broken && _fdOpen && !_vhostRunning;

    /// <summary>The write watch as last applied (R1, I2, R25c).</summary>
    public bool WatchingWritable => _writePoll && _enabled && !_broken && _fdOpen && !_vhostRunning;

    /// <summary>Result of the UFO probe at creation (R5).</summary>
    public override bool HasUfo => _hasUfo;

    /// <summary>Result of the USO probe at creation (R6).</summary>
    public override bool HasUso => _hasUso;

    /// <summary>I4.</summary>
    public override bool HasVnetHdr => HostVnetHdrLen != 0;

    /// <summary>[seed] The same as <see cref="HasVnetHdr"/>; the length is not probed (I4).</summary>
    public override bool HasVnetHdrLen(int len) => HasVnetHdr;

    /// <summary>The down script to run at cleanup, or empty (I11).</summary>
    public string DownScript { get; private set; } = "";

    /// <summary>The down script's argument: the interface name.</summary>
    public string DownScriptArg { get; private set; } = "";

    /// <summary>The vhost-net fd while vhost serves this queue.</summary>
    public Fd? VhostFd { get; private set; }

    /// <summary>Frames read from the tap, including those dropped before sending.</summary>
    public long FramesRead { get; private set; }

    private bool _hasUfo;
    private bool _hasUso;

    /// <summary>
    /// Creates a queue client on an open, non-blocking tap fd (R4-R10) and takes ownership of the fd.
    /// Unlike QEMU (which aborts), a failing TUNSETVNETHDRSZ deletes the client again and returns the message;
    /// the fd is then closed.
    /// </summary>
    public static TapBackend Create(
        NetStack stack, NetClient? peer, string model, string name, IOsNet os, Fd fd, bool vnetHdr)
    {
        var s = new TapBackend(stack, peer, model, name, os, fd, vnetHdr);
        s._hasUfo = s.Ioctl(static (o, f) => o.TunSetOffload(f, TunOffload.Csum | TunOffload.Ufo)).Ok;
        s._hasUso = s.Ioctl(
            static (o, f) => o.TunSetOffload(f, TunOffload.Csum | TunOffload.Uso4 | TunOffload.Uso6)).Ok;
        s._enabled = true;
        s.SetOffload(TunOffload.None);
        if (vnetHdr)
        {
            // A persistent device keeps the size its previous user set; make it ours again.
            var r = s.Ioctl(static (o, f) => o.TunSetVnetHdrSize(f, VirtioNetHeader.Size));
            if (!r.Ok)
            {
                s.CreationError = $"TUNSETVNETHDRSZ ioctl() failed: {ErrnoText.Of(r.Error)}.";
            }
        }
        s.SetReadPoll(true);
        stack.AddExitNotifier(s);
        return s;
    }

    /// <summary>
    /// Set when creation could not configure the device; the caller deletes the client and reports it.
    /// </summary>
    public string? CreationError { get; private set; }

    /// <summary>Records the down script of queue 0 of the ifname/script branch (O34.3).</summary>
    public void SetDownScript(string script, string ifname)
    {
        DownScript = script;
        DownScriptArg = ifname;
    }

    /// <summary>Hands the vhost fd to this client; it is cleaned up and closed with the client.</summary>
    public void AttachVhost(Fd vhostFd) => VhostFd = vhostFd;

    private SysResult Ioctl(Func<IOsNet, Fd, SysResult> call)
    {
        SysResult r;
        do
        {
            r = call(_os, _fd);
        }
        while (r.Error == Errno.EINTR);
        return r;
    }

    // ---- Event-loop registration (R1, R2) ----

    private void UpdateFdHandler()
    {
        if (!_fdOpen)
        {
            return;
        }
        _os.Watch(_fd, this, WatchingReadable, WatchingWritable);
    }

    private void SetReadPoll(bool on)
    {
        _readPoll = on;
        UpdateFdHandler();
    }

    private void SetWritePoll(bool on)
    {
        _writePoll = on;
        UpdateFdHandler();
    }
}
