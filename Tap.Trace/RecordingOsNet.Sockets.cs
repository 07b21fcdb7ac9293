using System.Net;
using Tap.Core.Os;
using K = Tap.Core.Os.KernelCalls;
using S = Tap.Trace.TraceSocketCalls;

namespace Tap.Trace;

public sealed partial class RecordingOsNet
{
    public SysResult<Fd> Socket(SockDomain domain, SockType type) =>
        Rec(K.Socket(domain, type), inner.Socket(domain, type), KernelCalls.Result);

    public SysResult SetSockOpt(Fd fd, SockOption option, int value) =>
        Rec(K.SetSockOpt(fd, option, value), inner.SetSockOpt(fd, option, value), KernelCalls.Result);

    public SysResult JoinMulticast(Fd fd, IPAddress group, IPAddress local) =>
        Rec(K.JoinMulticast(fd, group, local), inner.JoinMulticast(fd, group, local), KernelCalls.Result);

    public SysResult SetMulticastInterface(Fd fd, IPAddress local) =>
        Rec(K.SetMulticastInterface(fd, local), inner.SetMulticastInterface(fd, local), KernelCalls.Result);

    public SysResult Bind(Fd fd, SockAddr address) =>
        Rec(K.Bind(fd, address), inner.Bind(fd, address), KernelCalls.Result);

    public SysResult Listen(Fd fd, int backlog) =>
        Rec(K.Listen(fd, backlog), inner.Listen(fd, backlog), KernelCalls.Result);

    public SysResult<Fd> Accept(Fd fd) => Rec(K.Accept(fd), inner.Accept(fd), KernelCalls.Result);

    public SysResult Connect(Fd fd, SockAddr address) =>
        Rec(K.Connect(fd, address), inner.Connect(fd, address), KernelCalls.Result);

    public SysResult<PendingError> TakeSocketError(Fd fd) =>
        Rec(K.TakeSocketError(fd), inner.TakeSocketError(fd), K.Result);

    public SysResult<SockAddr> GetSockName(Fd fd) => Rec(K.GetSockName(fd), inner.GetSockName(fd), K.Result);

    public SysResult<SockAddr> GetPeerName(Fd fd) => Rec(K.GetPeerName(fd), inner.GetPeerName(fd), K.Result);

    public SysResult<int> SendTo(Fd fd, ReadOnlySpan<byte> datagram, SockAddr? destination)
    {
        string call = K.SendTo(fd, datagram, destination, Payload);
        var r = inner.SendTo(fd, datagram, destination);
        Call(call, KernelCalls.Result(r));
        return r;
    }

    public SysResult Unlink(string path) => Rec(K.Unlink(path), inner.Unlink(path), KernelCalls.Result);

    public SysResult<IReadOnlyList<IPAddress>> ResolveHost(string host) =>
        Rec(K.ResolveHost(host), inner.ResolveHost(host), K.Result);
}
