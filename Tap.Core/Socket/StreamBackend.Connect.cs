using Tap.Core.Abi;
using Tap.Core.Options;
using Tap.Core.Os;

namespace Tap.Core.Socket;

public sealed partial class StreamBackend
{
    // ---- Server (ST8, ST9) ----

    private void StartListening()
    {
        var (fd, error) = SocketSetup.Listen(_os, _options.Addr);
        if (fd is null)
        {
            SetupFailed(error!);
            return;
        }
        var nb = _os.SetNonBlocking(fd.Value);
        if (!nb.Ok)
        {
            _os.Close(fd.Value);
            SetupFailed(SocketSetup.WithErrno("Failed to set FD nonblocking", nb.Error));
            return;
        }
        _listenFd = fd;
        _unlinkOnCleanup = _options.Addr is UnixAddressOptions { Abstract: not true };
        SetInfoStr("listening");
        _os.Watch(fd.Value, _listenHandler, true, false);
    }

    /// <summary>A peer knocks: take it, and stop listening until it goes (one peer at a time, ST8).</summary>
    private void OnListenReadable()
    {
        if (_listenFd is not { } listen || _conn is not null)
        {
            return;
        }
        var a = _os.Accept(listen);
        if (!a.Ok)
        {
            return; // EAGAIN, or a peer that left before we took it: keep listening
        }
        _os.Watch(listen, _listenHandler, false, false);
        _ = _os.SetNonBlocking(a.Value);
        // QEMU names a unix peer by our own path (the peer is unnamed) and an inet peer by its address.
        var address = _options.Addr is UnixAddressOptions ? _os.GetSockName(a.Value) : _os.GetPeerName(a.Value);
        Attach(a.Value, SocketSetup.Uri(address.Ok ? address.Value : null));
    }

    // ---- Client (ST10, ST12) ----

    private void BeginConnect()
    {
        switch (_options.Addr)
        {
            case FdAddressOptions f:
                var (fd, error) = SocketSetup.SocketFd(_os, f.Str);
                if (fd is null)
                {
                    ConnectFailed(null, error!);
                    return;
                }
                if (_os.SetNonBlocking(fd.Value) is { Ok: false } nb)
                {
                    ConnectFailed(fd, $"can't use file descriptor {f.Str} (errno {(int)nb.Error})");
                    return;
                }
                var peer = _os.GetPeerName(fd.Value);
                Attach(fd.Value, SocketSetup.Uri(peer.Ok ? peer.Value : null));
                return;
            case UnixAddressOptions u:
                var (address, tooLong) = SocketSetup.Unix(u);
                if (address is null)
                {
                    ConnectFailed(null, tooLong!);
                    return;
                }
                StartConnect(SockDomain.Unix, address, $"Failed to connect to '{u.Path}'");
                return;
            case InetAddressOptions i:
                var (addresses, unresolved) = SocketSetup.ResolveInet(_os, i, passive: false);
                if (addresses is null)
                {
                    ConnectFailed(null, unresolved!);
                    return;
                }
                _candidates = addresses;
                NextCandidate();
                return;
            default:
                ConnectFailed(null, "vsock addresses are not supported by tapnet");
                return;
        }
    }

    /// <summary>QEMU's inet_connect_saddr: each resolved address in turn until one connects (there is one
    /// left: resolution gives at least one, and a failure moves on only while more remain).</summary>
    private void NextCandidate()
    {
        var i = (InetAddressOptions)_options.Addr;
        var next = _candidates![0];
        _candidates.RemoveAt(0);
        StartConnect(SocketSetup.Domain(next.Address), next, $"Failed to connect to '{i.Host}:{i.Port}'");
    }

    private void StartConnect(SockDomain domain, SockAddr address, string failure)
    {
        var s = _os.Socket(domain, SockType.Stream);
        if (!s.Ok)
        {
            if (_candidates is { Count: > 0 })
            {
                NextCandidate();
                return;
            }
            // inet_connect_addr names the family by number (AF_INET 2, AF_INET6 10); unix_connect_saddr does not.
            ConnectFailed(null, SocketSetup.WithErrno(domain switch
            {
                SockDomain.Inet => "Failed to create socket family 2",
                SockDomain.Inet6 => "Failed to create socket family 10",
                _ => "Failed to create socket",
            }, s.Error));
            return;
        }
        var fd = s.Value;
        _ = _os.SetNonBlocking(fd);
        if (address is InetSockAddr && _options.Addr is InetAddressOptions { KeepAlive: true })
        {
            _ = _os.SetSockOpt(fd, SockOption.KeepAlive, 1);
        }
        SysResult c;
        do
        {
            c = _os.Connect(fd, address);
        }
        while (c.Error == Errno.EINTR);
        if (c.Ok)
        {
            Connected(fd);
            return;
        }
        if (c.Error == Errno.EINPROGRESS)
        {
            _conn = fd;
            _connecting = true;
            _os.Watch(fd, this, false, true);
            return;
        }
        ConnectAttemptFailed(fd, failure, c.Error);
    }

    private void FinishConnect(Fd fd)
    {
        var e = _os.TakeSocketError(fd);
        Errno error = e.Ok ? e.Value.Error : e.Error;
        _os.Watch(fd, this, false, false);
        _connecting = false;
        _conn = null;
        if (error == Errno.None)
        {
            Connected(fd);
            return;
        }
        string failure = _options.Addr is InetAddressOptions i
            ? $"Failed to connect to '{i.Host}:{i.Port}'"
            : $"Failed to connect to '{((UnixAddressOptions)_options.Addr).Path}'";
        ConnectAttemptFailed(fd, failure, error);
    }

    private void ConnectAttemptFailed(Fd fd, string failure, Errno error)
    {
        if (_candidates is { Count: > 0 })
        {
            _os.Close(fd);
            NextCandidate();
            return;
        }
        ConnectFailed(fd, SocketSetup.WithErrno(failure, error));
    }

    private void Connected(Fd fd)
    {
        if (_options.Addr is InetAddressOptions)
        {
            // QEMU disables Nagle on the client's TCP socket (qio_channel_set_delay(false)).
            _ = _os.SetSockOpt(fd, SockOption.TcpNoDelay, 1);
        }
        var peer = _os.GetPeerName(fd);
        Attach(fd, SocketSetup.Uri(peer.Ok ? peer.Value : null));
    }

    /// <summary>
    /// ST10: QEMU puts the message in the info string and tries again after the reconnect delay; we also warn, once
    /// per run of identical failures, since QEMU's only trace of it is <c>info network</c>.
    /// </summary>
    private void ConnectFailed(Fd? fd, string message)
    {
        if (fd is { } f)
        {
            _os.Watch(f, this, false, false);
            _os.Close(f);
        }
        _conn = null;
        _connecting = false;
        _candidates = null;
        SetInfoStr("error: " + message);
        if (message != _lastConnectError)
        {
            _lastConnectError = message;
            _os.Report(new Diagnostic(DiagnosticKind.Warning, $"netdev {Name}: {message}"));
        }
        ArmReconnect();
    }

    private void SetupFailed(string message)
    {
        SetInfoStr("error: " + message);
        _os.Report(new Diagnostic(DiagnosticKind.Warning, $"netdev {Name}: {message}"));
    }

    /// <summary>ST12: with a reconnect delay, try again once it passes; the info string says "connecting".</summary>
    private void ArmReconnect()
    {
        if (_reconnectMs == 0 || _timerArmed)
        {
            return;
        }
        if (_timer is null)
        {
            var t = _os.TimerFdCreate();
            if (!t.Ok)
            {
                SetupFailed(SocketSetup.WithErrno("cannot create the reconnect timer", t.Error));
                return;
            }
            _timer = t.Value;
        }
        long due = _os.ClockMonotonicNs() + _reconnectMs * NsPerMs;
        if (_os.TimerFdSetTime(_timer.Value, due) is { Ok: false } armed)
        {
            SetupFailed(SocketSetup.WithErrno("cannot arm the reconnect timer", armed.Error));
            return;
        }
        SetInfoStr("connecting");
        _timerArmed = true;
        _os.Watch(_timer.Value, _timerHandler, true, false);
    }

    private void OnTimer()
    {
        if (_timer is not { } t)
        {
            return;
        }
        Span<byte> expirations = stackalloc byte[8];
        _ = _os.Read(t, expirations);
        _os.Watch(t, _timerHandler, false, false);
        _timerArmed = false;
        if (_conn is null)
        {
            BeginConnect();
        }
    }

    private sealed class ListenHandler(StreamBackend owner) : IFdHandler
    {
        public void OnReadable() => owner.OnListenReadable();

        public void OnWritable()
        {
        }
    }

    private sealed class TimerHandler(StreamBackend owner) : IFdHandler
    {
        public void OnReadable() => owner.OnTimer();

        public void OnWritable()
        {
        }
    }
}
