using System.Net;
using Tap.Core.Os;
using S = Tap.Trace.TraceSocketCalls;

namespace Tap.Trace;

public sealed partial class ReplayOsNet
{
    public SysResult<Fd> Socket(SockDomain domain, SockType type) => Answer(S.Socket(domain, type), TraceCalls.ParseFd);

    public SysResult SetSockOpt(Fd fd, SockOption option, int value) =>
        Answer(S.SetSockOpt(fd, option, value), TraceCalls.ParseSys);

    public SysResult JoinMulticast(Fd fd, IPAddress group, IPAddress local) =>
        Answer(S.JoinMulticast(fd, group, local), TraceCalls.ParseSys);

    public SysResult SetMulticastInterface(Fd fd, IPAddress local) =>
        Answer(S.SetMulticastInterface(fd, local), TraceCalls.ParseSys);

    public SysResult Bind(Fd fd, SockAddr address) => Answer(S.Bind(fd, address), TraceCalls.ParseSys);

    public SysResult Listen(Fd fd, int backlog) => Answer(S.Listen(fd, backlog), TraceCalls.ParseSys);

    public SysResult<Fd> Accept(Fd fd) => Answer(S.Accept(fd), TraceCalls.ParseFd);

    public SysResult Connect(Fd fd, SockAddr address) => Answer(S.Connect(fd, address), TraceCalls.ParseSys);

    public SysResult<PendingError> TakeSocketError(Fd fd) => Answer(S.TakeSocketError(fd), S.ParsePending);

    public SysResult<SockAddr> GetSockName(Fd fd) => Answer(S.GetSockName(fd), S.ParseAddr);

    public SysResult<SockAddr> GetPeerName(Fd fd) => Answer(S.GetPeerName(fd), S.ParseAddr);

    public SysResult<int> SendTo(Fd fd, ReadOnlySpan<byte> datagram, SockAddr? destination)
    {
        int offered = datagram.Length;
        return Answer(S.SendTo(fd, datagram, destination, trace.Header.Payloads),
            t => TraceCalls.ParseWritten(t, offered));
    }

    public SysResult Unlink(string path) => Answer(S.Unlink(path), TraceCalls.ParseSys);

    public SysResult<IReadOnlyList<IPAddress>> ResolveHost(string host) =>
        Answer(S.ResolveHost(host), S.ParseAddresses);
}
