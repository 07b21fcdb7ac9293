using System.Net;
using System.Net.Sockets;
using Tap.Core.Net;

namespace Tap.Cli;

/// <summary>
/// <c>--metrics=HOST:PORT</c>: the tapnet meter in Prometheus' text format at <c>http://HOST:PORT/metrics</c>
/// (README, Metrics: why our own). A thread of its own accepts; each connection gets a short-lived thread that
/// reads one request, collects if it is a scrape, answers and closes, so the loop does nothing for it and a client
/// that sends nothing holds up no other scrape.
/// </summary>
public sealed class PrometheusEndpoint : IDisposable
{
    /// <summary>Connections served at once; one more is closed unanswered (a scraper asks one at a time).</summary>
    internal const int MaxConnections = 8;

    /// <summary>How long a connection may take to send its request or take the answer.</summary>
    private const int IoTimeoutMs = 5000;

    private readonly Socket _listener;
    private readonly PrometheusExposition _exposition;
    private readonly Thread _acceptor;
    private int _connections;
    private volatile bool _disposed;

    private PrometheusEndpoint(Socket listener)
    {
        _listener = listener;
        _exposition = new PrometheusExposition(NetMetrics.MeterName);
        _acceptor = new Thread(Accept, 256 * 1024) { IsBackground = true, Name = "metrics" };
        _acceptor.Start();
    }

    /// <summary>The address listened on (the port the kernel chose when asked for none).</summary>
    internal IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Listens on <paramref name="address"/>, or returns why it cannot.</summary>
    public static (PrometheusEndpoint? Endpoint, string? Error) Start(MetricsAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var (ip, error) = Resolve(address.Host);
        if (ip is null)
        {
            return (null, error);
        }
        Socket? socket = null;
        try
        {
            socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp); // IPv6 may be off: it throws
            socket.Bind(new IPEndPoint(ip, address.Port));
            socket.Listen(16);
            return (new PrometheusEndpoint(socket), null);
        }
        catch (SocketException e)
        {
            socket?.Dispose();
            return (null, e.Message);
        }
    }

    /// <summary>An address as written (<c>[::1]</c> without its brackets), or a host name's first address.</summary>
    private static (IPAddress? Address, string? Error) Resolve(string host)
    {
        string bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (IPAddress.TryParse(bare, out var ip))
        {
            return (ip, null);
        }
        try
        {
            var all = Dns.GetHostAddresses(bare);
            return all.Length > 0 ? (all[0], null) : (null, $"{bare}: the name has no address");
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            return (null, $"{bare}: {e.Message}"); // unknown, or not a name at all (too long, bad characters)
        }
    }

    private void Accept()
    {
        while (!_disposed)
        {
            Socket client;
            try
            {
                client = _listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_disposed)
                {
                    return;
                }
                continue; // a connection reset before it was accepted, or out of fds for a moment
            }
            if (Interlocked.Increment(ref _connections) > MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                client.Dispose();
                continue;
            }
            var serve = new Thread(() => Serve(client), 256 * 1024) { IsBackground = true, Name = "metrics scrape" };
            serve.Start();
        }
    }

    private void Serve(Socket client)
    {
        try
        {
            using (client)
            {
                client.ReceiveTimeout = IoTimeoutMs;
                client.SendTimeout = IoTimeoutMs;
                var received = new byte[MetricsHttp.MaxRequestHead];
                int length = 0;
                while (length < received.Length && !MetricsHttp.HeadComplete(received.AsSpan(0, length)))
                {
                    int n = client.Receive(received, length, received.Length - length, SocketFlags.None);
                    if (n == 0)
                    {
                        break;
                    }
                    length += n;
                }
                if (length == 0)
                {
                    return; // connected and closed (a port check): nothing to answer
                }
                client.Send(MetricsHttp.Respond(received.AsSpan(0, length), _exposition.Collect));
                client.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The client went away or took longer than IoTimeoutMs: nobody is left to tell.
        }
        finally
        {
            Interlocked.Decrement(ref _connections);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _listener.Dispose(); // wakes the blocked Accept (the runtime shuts the socket down first)
        _acceptor.Join(TimeSpan.FromSeconds(5));
        _exposition.Dispose();
    }
}
