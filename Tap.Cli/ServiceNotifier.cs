using System.Net.Sockets;
using System.Text;

namespace Tap.Cli;

/// <summary>
/// systemd's readiness protocol (sd_notify(3), docs/service.md): one datagram per state change to the Unix socket
/// named by <c>NOTIFY_SOCKET</c>, a file system path or, starting with <c>@</c>, an abstract name. tapnet sends
/// <c>READY=1</c> once every netdev is up and <c>STOPPING=1</c> when the loop stops, before the netdevs go, so a
/// <c>Type=notify</c> unit orders its dependents after working taps. Without <c>NOTIFY_SOCKET</c> there is no
/// notifier at all. The notification is a courtesy to the service manager: a failed send prints one warning and
/// tapnet forwards on.
/// </summary>
public sealed class ServiceNotifier : IDisposable
{
    /// <summary>The variable systemd sets for <c>Type=notify</c> services.</summary>
    public const string SocketVariable = "NOTIFY_SOCKET";

    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _endPoint;
    private readonly string _address;
    private readonly string _program;
    private readonly TextWriter _stderr;
    private bool _failed;

    private ServiceNotifier(string address, string program, TextWriter stderr)
    {
        _address = address;
        _program = program;
        _stderr = stderr;
        // .NET names an abstract socket with a leading NUL, systemd with '@'.
        _endPoint = new UnixDomainSocketEndPoint(address[0] == '@' ? "\0" + address[1..] : address);
        // Non-blocking: a service manager that stopped reading must not hold the loop (a full queue is a warning).
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
    }

    /// <summary>The notifier <c>NOTIFY_SOCKET</c> asks for, or null when it is unset or empty.</summary>
    public static ServiceNotifier? FromEnvironment(string program, TextWriter stderr)
    {
        var address = Environment.GetEnvironmentVariable(SocketVariable);
        return string.IsNullOrEmpty(address) ? null : new ServiceNotifier(address, program, stderr);
    }

    /// <summary>Every netdev is up and the loop is about to run.</summary>
    public void Ready(int netdevs) => Send($"READY=1\nSTATUS=forwarding, {netdevs} netdev(s) up");

    /// <summary>The loop stopped; the netdevs are about to be deleted (down scripts run).</summary>
    public void Stopping() => Send("STOPPING=1\nSTATUS=stopping, deleting the netdevs");

    private void Send(string state)
    {
        if (_failed)
        {
            return;
        }
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, _endPoint);
        }
        catch (SocketException e)
        {
            // One line for the whole run: a socket that failed once (gone, refused, full) says nothing new later.
            _failed = true;
            // .NET reports a missing socket file as "Cannot assign requested address"; say what it is.
            string reason = _address[0] != '@' && !File.Exists(_address) ? "no such socket" : e.Message;
            _stderr.WriteLine(
                $"{_program}: warning: {SocketVariable}={_address}: cannot notify the service manager: {reason}");
        }
    }

    public void Dispose() => _socket.Dispose();
}
