using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Linux.Interop;
using Tmds.Linux;

namespace Tap.Linux;

/// <summary>
/// <see cref="IOsNet"/> on the real Linux kernel (linux-tun.md). Fd numbers given to the core map to
/// <see cref="FdHandle"/>s in a table; every fd we create is close-on-exec (D-10). Calls return the kernel's
/// errno, never throw for an OS failure. Watch goes to an <see cref="IMainLoop"/> that the caller runs; with a
/// <see cref="UringLoop"/> the reads and writes of watched taps go through its ring too.
/// </summary>
public sealed partial class LinuxOsNet : IOsNet, IDisposable
{
    private const string TunPath = "/dev/net/tun";
    private const string VhostNetPath = "/dev/vhost-net";

    private readonly FdTable _fds = new();
    private readonly IMainLoop _loop;
    // The io_uring loop, when that is the loop: the packet path tests this field, not the interface, so the epoll
    // path stays a direct read(2)/writev(2) with no dispatch.
    private readonly UringLoop? _uring;
    private readonly LinuxOsNetOptions _options;
    private readonly Action<Diagnostic> _report;

    /// <summary>Uses <paramref name="loop"/> for <see cref="Watch"/>; the caller runs and disposes it.</summary>
    public LinuxOsNet(IMainLoop loop, LinuxOsNetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(loop);
        _loop = loop;
        _uring = loop as UringLoop;
        _options = options ?? new LinuxOsNetOptions();
        _report = _options.ReportSink ?? (d => Console.Error.WriteLine(d.Format(_options.ProgramName)));
    }

    /// <summary>How many fds this instance owns (tests check that failures leave none behind).</summary>
    public int OwnedFdCount => _fds.Count;

    /// <summary>The numbers of the fds this instance owns now: the netdevs' taps, sockets and timers.</summary>
    internal IReadOnlyList<int> OwnedFdNumbers => _fds.Numbers();

    /// <summary>Takes ownership of an fd opened elsewhere and returns the number the core will use.</summary>
    public Fd Adopt(FdHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        _ = Libc.Fcntl(handle, LibC.F_SETFD, LibC.FD_CLOEXEC);
        return _fds.Add(handle);
    }

    /// <inheritdoc/>
    public SysResult<Fd> OpenTunControl() => OpenDevice(TunPath);

    /// <inheritdoc/>
    public SysResult<Fd> OpenVhostNet() => OpenDevice(VhostNetPath);

    /// <inheritdoc/>
    public SysResult SetNonBlocking(Fd fd)
    {
        var handle = _fds.Get(fd);
        if (!handle.Ok)
        {
            return handle.Error;
        }
        int flags = Libc.Fcntl(handle.Value, LibC.F_GETFL, 0);
        if (flags < 0 || Libc.Fcntl(handle.Value, LibC.F_SETFL, flags | LibC.O_NONBLOCK) < 0)
        {
            return Libc.LastErrno();
        }
        return SysResult.Success;
    }

    /// <inheritdoc/>
    public SysResult Close(Fd fd)
    {
        _loop.Release(fd.Number);
        ForgetVhost(fd);
        var handle = _fds.Remove(fd);
        if (handle is null)
        {
            // Not ours: closing a number we never handed out would be a kernel close of whatever it is now,
            // so only report what the kernel would say when it is not open at all.
            var adopted = _fds.Get(fd);
            if (!adopted.Ok)
            {
                return adopted.Error;
            }
            handle = _fds.Remove(fd)!;
        }
        // The close itself cannot report an error through SafeHandle; on Linux the fd is gone either way.
        handle.Dispose();
        return SysResult.Success;
    }

    /// <inheritdoc/>
    public SysResult<Fd> TakeNamedFd(string name) => Errno.ENOENT; // no monitor on this backend

    /// <inheritdoc/>
    public SysResult<TunFlags> TunGetFeatures(Fd fd)
    {
        uint features = 0;
        var error = Ioctl(fd, TunIoctl.TUNGETFEATURES, ref features);
        return error == Errno.None ? (TunFlags)features : error;
    }

    /// <inheritdoc/>
    public SysResult<string> TunSetIff(Fd fd, string name, TunFlags flags)
    {
        var handle = _fds.Get(fd);
        if (!handle.Ok)
        {
            return handle.Error;
        }
        Span<byte> ifr = stackalloc byte[TunIoctl.IfReqBytes];
        ifr.Clear();
        WriteName(ifr, name);
        BinaryPrimitives.WriteUInt16LittleEndian(ifr[TunIoctl.IfReqFlagsOffset..], (ushort)flags);
        var error = Libc.Ioctl(handle.Value, TunIoctl.TUNSETIFF, ifr);
        return error == Errno.None ? ReadName(ifr) : error;
    }

    /// <inheritdoc/>
    public SysResult<TunInterfaceInfo> TunGetIff(Fd fd)
    {
        var handle = _fds.Get(fd);
        if (!handle.Ok)
        {
            return handle.Error;
        }
        Span<byte> ifr = stackalloc byte[TunIoctl.IfReqBytes];
        ifr.Clear();
        var error = Libc.Ioctl(handle.Value, TunIoctl.TUNGETIFF, ifr);
        if (error != Errno.None)
        {
            return error;
        }
        var flags = (TunFlags)BinaryPrimitives.ReadUInt16LittleEndian(ifr[TunIoctl.IfReqFlagsOffset..]);
        return new TunInterfaceInfo(ReadName(ifr), flags);
    }

    /// <inheritdoc/>
    public SysResult TunSetVnetHdrSize(Fd fd, int bytes) => Ioctl(fd, TunIoctl.TUNSETVNETHDRSZ, ref bytes);

    /// <inheritdoc/>
    public SysResult TunSetOffload(Fd fd, TunOffload offload)
    {
        var handle = _fds.Get(fd);
        // TUNSETOFFLOAD takes the mask by value, not through a pointer (linux-tun.md §4).
        return handle.Ok ? Libc.IoctlValue(handle.Value, TunIoctl.TUNSETOFFLOAD, (int)offload) : handle.Error;
    }

    /// <inheritdoc/>
    public SysResult TunSetSndBuf(Fd fd, int bytes) => Ioctl(fd, TunIoctl.TUNSETSNDBUF, ref bytes);

    /// <inheritdoc/>
    public SysResult TunSetVnetLe(Fd fd, bool on)
    {
        int value = on ? 1 : 0;
        return Ioctl(fd, TunIoctl.TUNSETVNETLE, ref value);
    }

    /// <inheritdoc/>
    public SysResult TunSetVnetBe(Fd fd, bool on)
    {
        int value = on ? 1 : 0;
        return Ioctl(fd, TunIoctl.TUNSETVNETBE, ref value);
    }

    /// <inheritdoc/>
    public SysResult TunSetQueue(Fd fd, TunFlags attachOrDetach)
    {
        var handle = _fds.Get(fd);
        if (!handle.Ok)
        {
            return handle.Error;
        }
        Span<byte> ifr = stackalloc byte[TunIoctl.IfReqBytes];
        ifr.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(ifr[TunIoctl.IfReqFlagsOffset..], (ushort)attachOrDetach);
        return Libc.Ioctl(handle.Value, TunIoctl.TUNSETQUEUE, ifr);
    }

    /// <inheritdoc/>
    public SysResult TunSetSteeringEbpf(Fd fd, int programFd) => Ioctl(fd, TunIoctl.TUNSETSTEERINGEBPF, ref programFd);

    /// <inheritdoc/>
    public SysResult TunSetFilterEbpf(Fd fd, int programFd) => Ioctl(fd, TunIoctl.TUNSETFILTEREBPF, ref programFd);

    /// <inheritdoc/>
    public SysResult TunClearTxFilter(Fd fd)
    {
        // struct tun_filter { __u16 flags; __u16 count; __u8 addr[][ETH_ALEN]; }: no flags, no addresses.
        uint emptyFilter = 0;
        return Ioctl(fd, TunIoctl.TUNSETTXFILTER, ref emptyFilter);
    }

    /// <inheritdoc/>
    public SysResult TunDetachFilter(Fd fd)
    {
        // The kernel copies a struct sock_fprog (16 bytes) it then ignores.
        var handle = _fds.Get(fd);
        Span<byte> fprog = stackalloc byte[16];
        fprog.Clear();
        return handle.Ok ? Libc.Ioctl(handle.Value, TunIoctl.TUNDETACHFILTER, fprog) : handle.Error;
    }

    /// <inheritdoc/>
    public SysResult<int> Read(Fd fd, Span<byte> buffer) => ReadInto(fd, buffer, lend: false, out _);

    /// <inheritdoc/>
    public SysResult<int> ReadFrame(Fd fd, Span<byte> buffer, out ReadOnlySpan<byte> frame) =>
        ReadInto(fd, buffer, lend: true, out frame);

    // Inlined into both, so that a read(2) returns straight into the core's read loop (docs/performance.md#call-depth).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private SysResult<int> ReadInto(Fd fd, Span<byte> buffer, bool lend, out ReadOnlySpan<byte> frame)
    {
        // The table's lease keeps the number this file's until the core closes it (FdTable), so the packet path
        // takes no reference per call; a number it does not own yet is adopted or EBADF.
        if (!_fds.Owns(fd) && _fds.Get(fd) is { Ok: false } unknown)
        {
            frame = default;
            return unknown.Error;
        }
        Errno error;
        int bytes;
        if (_uring?.TapOf(fd.Number) is { } tap)
        {
            // Only to a handler the loop called: elsewhere nothing would end the loan (io-uring.md#no-copies).
            if (lend && _uring.OnLoopInHandlers)
            {
                error = _uring.Lend(tap, buffer.Length, out frame);
                return error == Errno.None ? frame.Length : error;
            }
            error = _uring.Read(tap, buffer, out bytes);
        }
        else
        {
            error = Libc.ReadOwned(fd.Number, buffer, out bytes);
        }
        frame = error == Errno.None ? buffer[..bytes] : default;
        return error == Errno.None ? bytes : error;
    }

    /// <inheritdoc/>
    [SkipLocalsInit] // the join buffer is written before it is read
    public SysResult<int> Write(Fd fd, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body)
    {
        // As Read: the number is used under the table's lease.
        if (!_fds.Owns(fd) && _fds.Get(fd) is { Ok: false } unknown)
        {
            return unknown.Error;
        }
        var error = _uring?.TapOf(fd.Number) is { } tap
            ? _uring.Write(tap, head, body, out int bytes)
            : Libc.WritePairOwned(fd.Number, head, body, stackalloc byte[Libc.CoalesceLimit], out bytes);
        return error == Errno.None ? bytes : error;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The core asked to watch an fd that is not open (a core bug).</exception>
    public void Watch(Fd fd, IFdHandler handler, bool readable, bool writable)
    {
        if (!readable && !writable)
        {
            _loop.Forget(fd.Number);
            return;
        }
        var handle = _fds.Get(fd);
        if (!handle.Ok)
        {
            throw new ArgumentException($"cannot watch fd {fd}: {ErrnoText.Of(handle.Error)}", nameof(fd));
        }
        _loop.Watch(handle.Value, handler, readable, writable);
    }

    /// <inheritdoc/>
    public void Report(Diagnostic diagnostic) => _report(diagnostic);

    /// <summary>Closes every fd still owned (and the vhost eventfds); the loop belongs to the caller.</summary>
    public void Dispose()
    {
        DisposeVhost();
        foreach (int number in _fds.CloseAll())
        {
            // The loop may outlive us; it must not keep handlers for numbers the kernel will reuse.
            _loop.Release(number);
        }
    }

    private SysResult<Fd> OpenDevice(string path)
    {
        var error = Libc.Open(path, LibC.O_RDWR | LibC.O_CLOEXEC, out var handle);
        if (error != Errno.None)
        {
            handle.Dispose();
            return error;
        }
        return _fds.Add(handle);
    }

    private Errno Ioctl<T>(Fd fd, uint request, ref T arg) where T : unmanaged
    {
        var handle = _fds.Get(fd);
        return handle.Ok ? Libc.Ioctl(handle.Value, request, ref arg) : handle.Error;
    }

    /// <summary>Copies <paramref name="name"/> into ifr_name bounded to IFNAMSIZ - 1 bytes, as QEMU's
    /// pstrcpy does (linux-tun.md §1 step 7); the rest stays zero.</summary>
    private static void WriteName(Span<byte> ifr, string name)
    {
        Span<byte> field = ifr[..(TunIoctl.IfNameBytes - 1)];
        byte[] encoded = Encoding.UTF8.GetBytes(name); // setup path, not per packet
        encoded.AsSpan(0, Math.Min(encoded.Length, field.Length)).CopyTo(field);
    }

    private static string ReadName(ReadOnlySpan<byte> ifr)
    {
        var field = ifr[..TunIoctl.IfNameBytes];
        int end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }
}
