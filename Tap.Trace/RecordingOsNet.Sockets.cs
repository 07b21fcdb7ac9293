using System.Net;
using Tap.Core.Os;
using S = Tap.Trace.TraceSocketCalls;

namespace Tap.Trace;

public sealed partial class RecordingOsNet
{
    public SysResult<Fd> Socket(SockDomain domain, SockType type) =>
        Rec(S.Socket(domain, type), inner.Socket(domain, type), TraceCalls.Result);

    public SysResult SetSockOpt(Fd fd, SockOption option, int value) =>
        Rec(S.SetSockOpt(fd, option, value), inner.SetSockOpt(fd, option, value), TraceCalls.Result);

    public SysResult JoinMulticast(Fd fd, IPAddress group, IPAddress local) =>
        Rec(S.JoinMulticast(fd, group, local), inner.JoinMulticast(fd, group, local), TraceCalls.Result);

    public SysResult SetMulticastInterface(Fd fd, IPAddress local) =>
        Rec(S.SetMulticastInterface(fd, local), inner.SetMulticastInterface(fd, local), TraceCalls.Result);

    public SysResult Bind(Fd fd, SockAddr address) =>
        Rec(S.Bind(fd, address), inner.Bind(fd, address), TraceCalls.Result);

    public SysResult Listen(Fd fd, int backlog) =>
        Rec(S.Listen(fd, backlog), inner.Listen(fd, backlog), TraceCalls.Result);

    public SysResult<Fd> Accept(Fd fd) => Rec(S.Accept(fd), inner.Accept(fd), TraceCalls.Result);

    public SysResult Connect(Fd fd, SockAddr address) =>
        Rec(S.Connect(fd, address), inner.Connect(fd, address), TraceCalls.Result);

    public SysResult<PendingError> TakeSocketError(Fd fd) =>
        Rec(S.TakeSocketError(fd), inner.TakeSocketError(fd), S.Result);

    public SysResult<SockAddr> GetSockName(Fd fd) => Rec(S.GetSockName(fd), inner.GetSockName(fd), S.Result);

    public SysResult<SockAddr> GetPeerName(Fd fd) => Rec(S.GetPeerName(fd), inner.GetPeerName(fd), S.Result);

    public SysResult<int> SendTo(Fd fd, ReadOnlySpan<byte> datagram, SockAddr? destination)
    {
        string call = S.SendTo(fd, datagram, destination, Mode);
        var r = inner.SendTo(fd, datagram, destination);
        Call(call, TraceCalls.Result(r));
        return r;
    }

    public SysResult Unlink(string path) => Rec(S.Unlink(path), inner.Unlink(path), TraceCalls.Result);

    public SysResult<IReadOnlyList<IPAddress>> ResolveHost(string host) =>
        Rec(S.ResolveHost(host), inner.ResolveHost(host), S.Result);
}
