using System.Net;
using Tap.Core.Os;
using K = Tap.Core.Os.KernelCalls;
using S = Tap.Trace.TraceSocketCalls;

namespace Tap.Trace;

public sealed partial class ReplayOsNet
{
    public SysResult<Fd> Socket(SockDomain domain, SockType type) => Answer(K.Socket(domain, type), TraceCalls.ParseFd);

    public SysResult SetSockOpt(Fd fd, SockOption option, int value) =>
        Answer(K.SetSockOpt(fd, option, value), TraceCalls.ParseSys);

    public SysResult JoinMulticast(Fd fd, IPAddress group, IPAddress local) =>
        Answer(K.JoinMulticast(fd, group, local), TraceCalls.ParseSys);

    public SysResult SetMulticastInterface(Fd fd, IPAddress local) =>
        Answer(K.SetMulticastInterface(fd, local), TraceCalls.ParseSys);

    public SysResult Bind(Fd fd, SockAddr address) => Answer(K.Bind(fd, address), TraceCalls.ParseSys);

    public SysResult Listen(Fd fd, int backlog) => Answer(K.Listen(fd, backlog), TraceCalls.ParseSys);

    public SysResult<Fd> Accept(Fd fd) => Answer(K.Accept(fd), TraceCalls.ParseFd);

    public SysResult Connect(Fd fd, SockAddr address) => Answer(K.Connect(fd, address), TraceCalls.ParseSys);

    public SysResult<PendingError> TakeSocketError(Fd fd) => Answer(K.TakeSocketError(fd), S.ParsePending);

    public SysResult<SockAddr> GetSockName(Fd fd) => Answer(K.GetSockName(fd), S.ParseAddr);

    public SysResult<SockAddr> GetPeerName(Fd fd) => Answer(K.GetPeerName(fd), S.ParseAddr);

    public SysResult<int> SendTo(Fd fd, ReadOnlySpan<byte> datagram, SockAddr? destination)
    {
        int offered = datagram.Length;
        return Answer(K.SendTo(fd, datagram, destination, TraceText.Payload(trace.Header.Payloads)),
            t => TraceCalls.ParseWritten(t, offered));
    }

    public SysResult Unlink(string path) => Answer(K.Unlink(path), TraceCalls.ParseSys);

    public SysResult<IReadOnlyList<IPAddress>> ResolveHost(string host) =>
        Answer(K.ResolveHost(host), S.ParseAddresses);
}
