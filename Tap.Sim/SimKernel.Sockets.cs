using System.Globalization;
using System.Net;
using Tap.Core.Abi;
using Tap.Core.Os;

namespace Tap.Sim;

/// <summary>
/// The simulated socket layer (docs/stream-dgram.md ST13): addresses, listen/accept with a backlog, non-blocking
/// connect completing through SO_ERROR, stream byte pipes with bounded buffers (partial writes, EAGAIN), short
/// reads, resets, datagrams with loss and reordering, multicast groups, unix socket files, and timerfds that fire
/// after a number of loop ticks (one tick a millisecond). Faults come from the seeded <see cref="FaultPlan"/>.
/// </summary>
public sealed partial class SimKernel
{
    private readonly SortedDictionary<string, SimSocket> _bound = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _socketFiles = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, IReadOnlyList<IPAddress>> _hosts = new(StringComparer.Ordinal)
    {
        ["localhost"] = new[] { IPAddress.Loopback },
    };
    private int _nextSocketId;
    private int _nextEphemeralPort = 40000;

    /// <summary>Unix socket files that exist (bound and not unlinked).</summary>
    public IReadOnlyCollection<string> SocketFiles => _socketFiles;

    /// <summary>
    /// Link-local addresses this simulated host does not have: binding one fails with EADDRNOTAVAIL, as for an
    /// address no interface carries (every other 169.254.x.y counts as ours).
    /// </summary>
    public ISet<IPAddress> UnassignedAddresses { get; } = new HashSet<IPAddress>();

    /// <summary>Names <see cref="ResolveHost"/> knows.</summary>
    public void AddHost(string name, params IPAddress[] addresses) => _hosts[name] = addresses;

    /// <summary>The socket behind <paramref name="fd"/>, or null.</summary>
    public SimSocket? SocketOf(Fd fd) => _fds.GetValueOrDefault(fd.Number) is SimFile.Socket s ? s.Sock : null;

    /// <summary>A connected pair of sockets, as an inherited fd and the far end (socketpair(2)).</summary>
    public (Fd Ours, Fd Theirs) AddSocketPair(SockType type)
    {
        var a = new SimSocket(_nextSocketId++, SockDomain.Unix, type);
        var b = new SimSocket(_nextSocketId++, SockDomain.Unix, type);
        a.Peer = b;
        b.Peer = a;
        a.Local = b.Remote = new UnixSockAddr("");
        b.Local = a.Remote = new UnixSockAddr("");
        return (Allocate(new SimFile.Socket(a)), Allocate(new SimFile.Socket(b)));
    }

    /// <summary>
    /// Where a bound address lives: TCP and UDP ports are separate spaces, and so are abstract names of stream and
    /// datagram sockets (Linux hashes the socket type into the name's lookup); socket files are one filesystem.
    /// </summary>
    private static string Key(SockAddr a, SockType type) => a switch
    {
        InetSockAddr i => $"{Space(type)}:{i.Address}:{i.Port.ToString(CultureInfo.InvariantCulture)}",
        UnixSockAddr { Abstract: true } u => $"abstract-{Space(type)}:" + u.Path,
        UnixSockAddr u => "unix:" + u.Path,
        _ => a.ToString()!,
    };

    private static string Space(SockType type) => type == SockType.Stream ? "tcp" : "udp";

    private SysResult<SimSocket> Sock(Fd fd) => _fds.GetValueOrDefault(fd.Number) switch
    {
        SimFile.Socket s => s.Sock,
        null => Errno.EBADF,
        _ => Errno.ENOTSOCK,
    };

    /// <inheritdoc/>
    public SysResult<Fd> Socket(SockDomain domain, SockType type) =>
        Log(KernelCalls.Socket(domain, type),
            (SysResult<Fd>)Allocate(new SimFile.Socket(new SimSocket(_nextSocketId++, domain, type))));

    /// <inheritdoc/>
    public SysResult SetSockOpt(Fd fd, SockOption option, int value)
    {
        var s = Sock(fd);
        if (s.Ok && option == SockOption.ReuseAddr)
        {
            s.Value.ReuseAddr = value != 0;
        }
        return Log(KernelCalls.SetSockOpt(fd, option, value), s.Ok ? SysResult.Success : s.Error);
    }

    /// <inheritdoc/>
    public SysResult JoinMulticast(Fd fd, IPAddress group, IPAddress local)
    {
        var s = Sock(fd);
        if (s.Ok)
        {
            s.Value.Groups.Add(group.ToString());
        }
        return Log(KernelCalls.JoinMulticast(fd, group, local), s.Ok ? SysResult.Success : s.Error);
    }

    /// <inheritdoc/>
    public SysResult SetMulticastInterface(Fd fd, IPAddress local)
    {
        var s = Sock(fd);
        return Log(KernelCalls.SetMulticastInterface(fd, local), s.Ok ? SysResult.Success : s.Error);
    }

    /// <inheritdoc/>
    public SysResult Bind(Fd fd, SockAddr address) => Log(KernelCalls.Bind(fd, address), BindCore(fd, address));

    private SysResult BindCore(Fd fd, SockAddr address)
    {
        var s = Sock(fd);
        if (!s.Ok)
        {
            return s.Error;
        }
        var sock = s.Value;
        if (sock.Local is not null)
        {
            return Errno.EINVAL;
        }
        if (address is InetSockAddr { Port: 0 } i)
        {
            address = i with { Port = _nextEphemeralPort++ };
        }
        if (address is InetSockAddr ia && !IsLocalAddress(ia.Address))
        {
            return Errno.EADDRNOTAVAIL;
        }
        string key = Key(address, sock.Type);
        if (address is UnixSockAddr { Abstract: false } u)
        {
            if (_socketFiles.Contains(u.Path))
            {
                return Errno.EADDRINUSE;
            }
            if (u.Path.StartsWith("/nonexistent/", StringComparison.Ordinal))
            {
                return Errno.ENOENT;
            }
            _socketFiles.Add(u.Path);
        }
        else if (_bound.Any(kv => (kv.Key.StartsWith(key + "#", StringComparison.Ordinal)
                || Overlaps(kv.Value, sock.Type, address))
            && !(kv.Value.ReuseAddr && sock.ReuseAddr && sock.Type == SockType.Dgram)))
        {
            return Errno.EADDRINUSE;
        }
        sock.Local = address;
        _bound[key + "#" + sock.Id.ToString(CultureInfo.InvariantCulture)] = sock;
        return SysResult.Success;
    }

    /// <summary>
    /// The address the kernel picks for an unbound inet socket that connects or sends (inet_autobind): held like a
    /// bound one, so replies reach it and no other socket binds it.
    /// </summary>
    private InetSockAddr Autobind(SimSocket sock, IPAddress address)
    {
        var local = new InetSockAddr(address, _nextEphemeralPort++);
        sock.Local = local;
        _bound[Key(local, sock.Type) + "#" + sock.Id.ToString(CultureInfo.InvariantCulture)] = sock;
        return local;
    }

    /// <summary>
    /// True when <paramref name="other"/> holds the port of <paramref name="address"/> through a wildcard: the same
    /// type and port, the same family, and either address is the wildcard (bind(2): 0.0.0.0:P takes every address's
    /// P). Simplified: an IPv6 wildcard does not cover IPv4 here (as with IPV6_V6ONLY).
    /// </summary>
    private static bool Overlaps(SimSocket other, SockType type, SockAddr address) =>
        other.Type == type && other.Local is InetSockAddr l && address is InetSockAddr a && l.Port == a.Port
        && l.Address.AddressFamily == a.Address.AddressFamily && (IsWildcard(l.Address) || IsWildcard(a.Address));

    private static bool IsWildcard(IPAddress a) => a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any);

    /// <summary>Loopback, the wildcards, multicast and 169.254.0.0/16 (the addresses tests may use) are ours, but for
    /// <see cref="UnassignedAddresses"/>.</summary>
    private bool IsLocalAddress(IPAddress a) =>
        IPAddress.IsLoopback(a) || IsWildcard(a)
        || (a.GetAddressBytes() is [169, 254, _, _] && !UnassignedAddresses.Contains(a))
        || (a.GetAddressBytes()[0] & 0xF0) == 0xE0;

    /// <inheritdoc/>
    public SysResult Listen(Fd fd, int backlog) => Log(KernelCalls.Listen(fd, backlog), ListenCore(fd, backlog));

    private SysResult ListenCore(Fd fd, int backlog)
    {
        var s = Sock(fd);
        if (!s.Ok)
        {
            return s.Error;
        }
        var sock = s.Value;
        if (sock.Type != SockType.Stream)
        {
            return Errno.EOPNOTSUPP; // listen(2): the socket type does not support listen
        }
        if (sock.Local is null && sock.Domain != SockDomain.Unix)
        {
            // An unbound TCP socket is bound to the wildcard and an ephemeral port first (inet_autobind).
            var wildcard = sock.Domain == SockDomain.Inet6 ? IPAddress.IPv6Any : IPAddress.Any;
            if (BindCore(fd, new InetSockAddr(wildcard, 0)) is { Ok: false } bind)
            {
                return bind.Error;
            }
        }
        if (sock.Local is null)
        {
            return Errno.EINVAL; // unix(7): an unbound unix socket cannot listen
        }
        sock.Listening = true;
        sock.Backlog = Math.Max(backlog, 0) + 1; // Linux lets backlog + 1 wait
        return SysResult.Success;
    }

    /// <inheritdoc/>
    public SysResult<Fd> Accept(Fd fd)
    {
        var s = Sock(fd);
        if (!s.Ok)
        {
            return Log(KernelCalls.Accept(fd), (SysResult<Fd>)s.Error);
        }
        if (!s.Value.Listening)
        {
            return Log(KernelCalls.Accept(fd), (SysResult<Fd>)Errno.EINVAL);
        }
        if (s.Value.Pending.Count == 0)
        {
            return Log(KernelCalls.Accept(fd), (SysResult<Fd>)Errno.EAGAIN);
        }
        return Log(KernelCalls.Accept(fd), (SysResult<Fd>)Allocate(new SimFile.Socket(s.Value.Pending.Dequeue())));
    }

    /// <summary>The listening socket bound to <paramref name="address"/> (or its inet wildcard), or null.</summary>
    private SimSocket? Listener(SockAddr address)
    {
        foreach (var sock in _bound.Values)
        {
            if (!sock.Listening || sock.Closed)
            {
                continue;
            }
            if (Equals(sock.Local, address)
                || (sock.Local is InetSockAddr l && address is InetSockAddr a && l.Port == a.Port
                    && (l.Address.Equals(IPAddress.Any) || l.Address.Equals(IPAddress.IPv6Any))))
            {
                return sock;
            }
        }
        return null;
    }

    /// <inheritdoc/>
    public SysResult Connect(Fd fd, SockAddr address) =>
        Log(KernelCalls.Connect(fd, address), ConnectCore(fd, address));

    private SysResult ConnectCore(Fd fd, SockAddr address)
    {
        var s = Sock(fd);
        if (!s.Ok)
        {
            return s.Error;
        }
        var sock = s.Value;
        if (sock.Type == SockType.Dgram)
        {
            sock.Remote = address;
            return SysResult.Success;
        }
        var listener = Listener(address);
        bool inet = address is InetSockAddr;
        Errno outcome = Errno.None;
        if (listener is null)
        {
            outcome = address is UnixSockAddr { Abstract: false } u && !_socketFiles.Contains(u.Path)
                ? Errno.ENOENT
                : Errno.ECONNREFUSED;
        }
        else if (listener.Pending.Count >= listener.Backlog)
        {
            // A full backlog: TCP retries the SYN (here: refused at once), unix says EAGAIN.
            outcome = inet ? Errno.ECONNREFUSED : Errno.EAGAIN;
        }
        else
        {
            var server = new SimSocket(_nextSocketId++, sock.Domain, SockType.Stream)
            {
                Local = listener.Local,
                Peer = sock,
            };
            sock.Peer = server;
            sock.Remote = listener.Local;
            sock.Local ??= inet
                ? Autobind(sock, IPAddress.Loopback)
                : new UnixSockAddr("");
            server.Remote = sock.Local;
            listener.Pending.Enqueue(server);
        }
        if (!inet)
        {
            return outcome == Errno.None ? SysResult.Success : outcome;
        }
        // TCP: a non-blocking connect is always in progress first; SO_ERROR tells how it ended.
        sock.Connecting = true;
        sock.PendingError = outcome;
        return Errno.EINPROGRESS;
    }

    /// <inheritdoc/>
    public SysResult<PendingError> TakeSocketError(Fd fd)
    {
        var s = Sock(fd);
        if (!s.Ok)
        {
            return Log(KernelCalls.TakeSocketError(fd), (SysResult<PendingError>)s.Error);
        }
        var e = s.Value.PendingError;
        s.Value.PendingError = Errno.None;
        s.Value.Connecting = false;
        return Log(KernelCalls.TakeSocketError(fd), (SysResult<PendingError>)new PendingError(e));
    }

    /// <inheritdoc/>
    public SysResult<SockAddr> GetSockName(Fd fd)
    {
        var s = Sock(fd);
        SysResult<SockAddr> r = s.Ok
            ? s.Value.Local ?? (SockAddr)new InetSockAddr(IPAddress.Any, 0)
            : s.Error;
        return Log(KernelCalls.GetSockName(fd), r);
    }

    /// <inheritdoc/>
    public SysResult<SockAddr> GetPeerName(Fd fd)
    {
        var s = Sock(fd);
        SysResult<SockAddr> r = !s.Ok ? s.Error
            : s.Value.Remote is { } remote && s.Value.Peer is not null ? remote
            : Errno.ENOTCONN;
        return Log(KernelCalls.GetPeerName(fd), r);
    }

    /// <inheritdoc/>
    public SysResult<int> SendTo(Fd fd, ReadOnlySpan<byte> datagram, SockAddr? destination)
    {
        var r = SendToCore(fd, datagram, destination);
        if (RecordDataPath)
        {
            Record.Add(KernelCalls.Line(KernelCalls.SendTo(fd, datagram, destination, KernelCalls.PayloadLength),
                KernelCalls.Result(r)));
        }
        return r;
    }

    private SysResult<int> SendToCore(Fd fd, ReadOnlySpan<byte> datagram, SockAddr? destination)
    {
        var s = Sock(fd);
        if (!s.Ok)
        {
            return s.Error;
        }
        var sock = s.Value;
        if (Random.Chance(Faults[FaultSite.WriteEagain]))
        {
            return Errno.EAGAIN;
        }
        if (sock.Peer is { } pair && destination is null)
        {
            Deliver(pair, datagram);
            return datagram.Length;
        }
        var to = destination ?? sock.Remote;
        if (to is null)
        {
            return Errno.ENOTCONN;
        }
        if (sock.Local is null && to is InetSockAddr)
        {
            Autobind(sock, IPAddress.Any);
        }
        int receivers = 0;
        foreach (var other in _bound.Values)
        {
            if (other.Type != SockType.Dgram || other.Closed || !Matches(other, to, sock))
            {
                continue;
            }
            receivers++;
            Deliver(other, datagram);
        }
        if (receivers == 0 && to is UnixSockAddr u)
        {
            return _socketFiles.Contains(u.Path) ? Errno.ECONNREFUSED : Errno.ENOENT;
        }
        // UDP to nobody is gone without a word.
        return datagram.Length;
    }

    private static bool Matches(SimSocket receiver, SockAddr to, SimSocket sender)
    {
        if (to is InetSockAddr t && receiver.Local is InetSockAddr l && l.Port == t.Port)
        {
            if (receiver.Groups.Contains(t.Address.ToString()))
            {
                return true; // multicast, loopback on: the sender hears itself too
            }
            return !ReferenceEquals(receiver, sender)
                && (l.Address.Equals(t.Address) || l.Address.Equals(IPAddress.Any));
        }
        return Equals(receiver.Local, to) && !ReferenceEquals(receiver, sender);
    }

    private void Deliver(SimSocket to, ReadOnlySpan<byte> datagram)
    {
        if (Random.Chance(Faults[FaultSite.DgramLoss]) || to.Datagrams.Count >= SimSocket.DgramQueueMax)
        {
            return;
        }
        int at = to.Datagrams.Count > 0 && Random.Chance(Faults[FaultSite.DgramReorder])
            ? Random.Next(to.Datagrams.Count)
            : to.Datagrams.Count;
        to.Datagrams.Insert(at, datagram.ToArray());
    }

    /// <inheritdoc/>
    public SysResult Unlink(string path) =>
        Log(KernelCalls.Unlink(path), _socketFiles.Remove(path) ? SysResult.Success : Errno.ENOENT);

    /// <inheritdoc/>
    public SysResult<IReadOnlyList<IPAddress>> ResolveHost(string host) =>
        Log(KernelCalls.ResolveHost(host), _hosts.TryGetValue(host, out var a)
            ? new SysResult<IReadOnlyList<IPAddress>>(a, Errno.None)
            : new SysResult<IReadOnlyList<IPAddress>>(Array.Empty<IPAddress>(), Errno.ENOENT));

    private SysResult<PendingError> Log(string call, SysResult<PendingError> r) => Log(call, r, KernelCalls.Result(r));
    private SysResult<SockAddr> Log(string call, SysResult<SockAddr> r) => Log(call, r, KernelCalls.Result(r));

    private SysResult<IReadOnlyList<IPAddress>> Log(string call, SysResult<IReadOnlyList<IPAddress>> r) =>
        Log(call, r, KernelCalls.Result(r));

    // ---- read, write, close, readiness of sockets and timers (called from the generic paths) ----

    private SysResult<int> SocketRead(SimFile.Socket file, Fd fd, Span<byte> buffer)
    {
        var sock = file.Sock;
        if (sock.Type == SockType.Dgram)
        {
            if (sock.Datagrams.Count == 0)
            {
                return LogRead(fd, buffer, Errno.EAGAIN);
            }
            var d = sock.Datagrams[0];
            sock.Datagrams.RemoveAt(0);
            int n = Math.Min(d.Length, buffer.Length);
            d.AsSpan(0, n).CopyTo(buffer);
            return LogRead(fd, buffer, n);
        }
        if (sock.Reset)
        {
            return LogRead(fd, buffer, Errno.ECONNRESET);
        }
        if (sock.Peer is { } peer && Random.Chance(Faults[FaultSite.SocketReset]))
        {
            ResetConnection(sock, peer);
            return LogRead(fd, buffer, Errno.ECONNRESET);
        }
        if (sock.Inbox.Count == 0)
        {
            return LogRead(fd, buffer, sock.PeerClosed ? 0 : Errno.EAGAIN);
        }
        int take = Math.Min(sock.Inbox.Count, buffer.Length);
        if (take > 1 && Random.Chance(Faults[FaultSite.SocketShortRead]))
        {
            take = 1 + Random.Next(take - 1);
        }
        for (int i = 0; i < take; i++)
        {
            buffer[i] = sock.Inbox.Dequeue();
        }
        return LogRead(fd, buffer, take);
    }

    private SysResult<int> SocketWrite(SimFile file, Fd fd, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body)
    {
        if (file is not SimFile.Socket { Sock: var sock })
        {
            return LogWrite(fd, head, body, Errno.EINVAL);
        }
        if (sock.Type == SockType.Dgram)
        {
            var all = new byte[head.Length + body.Length];
            head.CopyTo(all);
            body.CopyTo(all.AsSpan(head.Length));
            return LogWrite(fd, head, body, SendToCore(fd, all, null));
        }
        if (sock.Reset)
        {
            return LogWrite(fd, head, body, Errno.ECONNRESET);
        }
        if (sock.Peer is not { } peer || sock.PeerClosed)
        {
            return LogWrite(fd, head, body, sock.Connecting ? Errno.EAGAIN : Errno.EPIPE);
        }
        if (Random.Chance(Faults[FaultSite.SocketReset]))
        {
            ResetConnection(sock, peer);
            return LogWrite(fd, head, body, Errno.ECONNRESET);
        }
        if (Random.Chance(Faults[FaultSite.WriteEintr]))
        {
            return LogWrite(fd, head, body, Errno.EINTR);
        }
        int room = SimSocket.StreamBufferBytes - peer.Inbox.Count;
        int total = head.Length + body.Length;
        if (room <= 0 || Random.Chance(Faults[FaultSite.WriteEagain]))
        {
            return LogWrite(fd, head, body, Errno.EAGAIN);
        }
        int n = Math.Min(room, total);
        if (n > 1 && Random.Chance(Faults[FaultSite.SocketShortWrite]))
        {
            n = 1 + Random.Next(n - 1);
        }
        for (int i = 0; i < n; i++)
        {
            peer.Inbox.Enqueue(i < head.Length ? head[i] : body[i - head.Length]);
        }
        return LogWrite(fd, head, body, n);
    }

    private static void ResetConnection(SimSocket a, SimSocket b)
    {
        foreach (var s in new[] { a, b })
        {
            s.Reset = true;
            s.Inbox.Clear();
            s.Peer = null;
        }
    }

    private void CloseSocket(SimFile file)
    {
        if (file is not SimFile.Socket { Sock: var sock })
        {
            return;
        }
        sock.Closed = true;
        foreach (var key in _bound.Where(kv => ReferenceEquals(kv.Value, sock)).Select(kv => kv.Key).ToList())
        {
            _bound.Remove(key);
        }
        while (sock.Pending.Count > 0)
        {
            // Connections nobody accepted are reset, as Linux does when a listener closes.
            var server = sock.Pending.Dequeue();
            if (server.Peer is { } client)
            {
                ResetConnection(server, client);
            }
        }
        if (sock.Peer is { } peer)
        {
            peer.PeerClosed = true;
            peer.Peer = null;
            sock.Peer = null;
        }
    }

    private static bool SocketReadable(SimFile.Socket file)
    {
        var s = file.Sock;
        return s.Listening ? s.Pending.Count > 0
            : s.Type == SockType.Dgram ? s.Datagrams.Count > 0
            : s.Reset || s.PeerClosed || s.Inbox.Count > 0;
    }

    private static bool SocketWritable(SimFile file) => file switch
    {
        SimFile.Socket { Sock: var s } => s.Type == SockType.Dgram || s.Connecting || s.Reset || s.PeerClosed
            || (s.Peer is { } p && p.Inbox.Count < SimSocket.StreamBufferBytes),
        _ => false,
    };
}
