using System.Net.Sockets;
using System.Text;
using Tap.Core.Os;
using Tap.Linux.Interop;
using Tmds.Linux;

namespace Tap.Linux;

/// <summary>
/// A unix stream socket at a path that takes one request per line and answers each with one line, served on the
/// <see cref="IMainLoop"/>'s own thread, so that a request may touch the core without any locking. The sockets are
/// .NET's; the loop watches a close-on-exec duplicate of each fd. Lines are bounded (<see cref="MaxLineBytes"/>); a
/// client that sends a longer one is disconnected.
/// </summary>
public sealed class UnixControlListener : IFdHandler, IDisposable
{
    /// <summary>A request line longer than this is no request this protocol has (ours are a few hundred bytes).
    /// </summary>
    public const int MaxLineBytes = 64 * 1024;

    /// <summary>Clients served at once; a further one is closed at once (a control socket has one or two users).
    /// </summary>
    public const int MaxClients = 16;

    private const int SendTimeoutMs = 1000;

    private readonly IMainLoop _loop;
    private readonly Func<string, string> _handle;
    private readonly Socket _listener;
    private readonly FdHandle _watched;
    private readonly List<Client> _clients = new();

    private UnixControlListener(string path, IMainLoop loop, Func<string, string> handle, Socket listener)
    {
        Path = path;
        _loop = loop;
        _handle = handle;
        _listener = listener;
        _watched = Duplicate(listener);
        loop.Watch(_watched, this, readable: true, writable: false);
    }

    /// <summary>The socket's path (removed again by <see cref="Dispose"/>).</summary>
    public string Path { get; }

    /// <summary>
    /// Listens at <paramref name="path"/>; each line a client sends goes to <paramref name="handle"/> and its answer
    /// back. Returns the listener, or null and why not (the path exists, the directory is not writable...).
    /// </summary>
    public static (UnixControlListener? Listener, string? Error) Start(
        string path, IMainLoop loop, Func<string, string> handle)
    {
        if (File.Exists(path) || Directory.Exists(path))
        {
            // Never unlink what is there: it may be another tapnet's live socket.
            return (null, "the path exists");
        }
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            socket.Listen(MaxClients);
            socket.Blocking = false;
            return (new UnixControlListener(path, loop, handle, socket), null);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            return (null, e.Message);
        }
    }

    /// <summary>A client connects.</summary>
    public void OnReadable()
    {
        Socket accepted;
        try
        {
            accepted = _listener.Accept();
        }
        catch (SocketException)
        {
            return; // EAGAIN: another iteration took it; anything else: the client went away first
        }
        if (_clients.Count >= MaxClients)
        {
            accepted.Dispose();
            return;
        }
        accepted.Blocking = false;
        // A reply is sent blocking (it is small); a client that does not read it holds the loop no longer than this.
        accepted.SendTimeout = SendTimeoutMs;
        var client = new Client(this, accepted);
        _clients.Add(client);
        _loop.Watch(client.Watched, client, readable: true, writable: false);
    }

    public void OnWritable()
    {
    }

    private void Drop(Client client)
    {
        _loop.Forget(client.Watched.Number);
        client.Watched.Dispose();
        client.Socket.Dispose();
        _clients.Remove(client);
    }

    /// <summary>Closes every client and the listener, and removes the socket file.</summary>
    public void Dispose()
    {
        foreach (var c in _clients.ToArray())
        {
            Drop(c);
        }
        _loop.Forget(_watched.Number);
        _watched.Dispose();
        _listener.Dispose();
        try
        {
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone already, or the directory went, or --runas left us unable to remove what root made: the socket
            // no longer listens either way.
        }
    }

    private static FdHandle Duplicate(Socket socket)
    {
        int fd = LibC.fcntl((int)socket.Handle, LibC.F_DUPFD_CLOEXEC, 0);
        return fd >= 0
            ? new FdHandle(fd)
            : throw new InvalidOperationException(
                $"fcntl(F_DUPFD_CLOEXEC): {Tap.Core.Abi.ErrnoText.Of(Libc.LastErrno())}");
    }

    private sealed class Client(UnixControlListener owner, Socket socket) : IFdHandler
    {
        private readonly byte[] _buffer = new byte[4096];
        private readonly MemoryStream _line = new();

        public Socket Socket { get; } = socket;
        public FdHandle Watched { get; } = Duplicate(socket);

        public void OnReadable()
        {
            int n;
            try
            {
                n = Socket.Receive(_buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
                return;
            }
            catch (SocketException)
            {
                n = 0;
            }
            if (n == 0)
            {
                owner.Drop(this);
                return;
            }
            int start = 0;
            for (int i = 0; i < n; i++)
            {
                if (_buffer[i] != (byte)'\n')
                {
                    continue;
                }
                _line.Write(_buffer, start, i - start);
                start = i + 1;
                if (!Answer())
                {
                    return;
                }
            }
            _line.Write(_buffer, start, n - start);
            if (_line.Length > MaxLineBytes)
            {
                owner.Drop(this);
            }
        }

        public void OnWritable()
        {
        }

        private bool Answer()
        {
            string request = Encoding.UTF8.GetString(_line.GetBuffer(), 0, (int)_line.Length).TrimEnd('\r');
            _line.SetLength(0);
            if (request.Length == 0)
            {
                return true;
            }
            byte[] reply = Encoding.UTF8.GetBytes(owner._handle(request) + "\n");
            try
            {
                Socket.Blocking = true;
                Socket.Send(reply);
                Socket.Blocking = false;
                return true;
            }
            catch (SocketException)
            {
                owner.Drop(this);
                return false;
            }
        }
    }
}
