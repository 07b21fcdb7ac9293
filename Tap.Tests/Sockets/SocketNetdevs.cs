using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;
using Tap.Core.Socket;
using Tap.Sim;

namespace Tap.Tests.Sockets;

/// <summary>What the stream and dgram tests build again and again: a netdev from its argument, and a far end.</summary>
internal static class SocketNetdevs
{
    /// <summary>The stream netdev <paramref name="arg"/> describes, created on <paramref name="os"/>.</summary>
    public static StreamBackend Stream(NetStack stack, IOsNet os, string arg)
    {
        var parsed = NetdevParser.Parse(arg);
        Assert.True(parsed.Ok, parsed.Error);
        var r = StreamInit.Run(stack, os, (StreamOptions)parsed.Options!);
        Assert.Null(r.Error);
        return (StreamBackend)r.Created[0];
    }

    /// <summary>The dgram netdev <paramref name="arg"/> describes, created on <paramref name="os"/>.</summary>
    public static DgramBackend Dgram(NetStack stack, IOsNet os, string arg)
    {
        var parsed = NetdevParser.Parse(arg);
        Assert.True(parsed.Ok, parsed.Error);
        var r = DgramInit.Run(stack, os, (DgramOptions)parsed.Options!);
        Assert.Null(r.Error);
        return (DgramBackend)r.Created[0];
    }

    /// <summary>A unix stream socket of the test's, connected to <paramref name="path"/>.</summary>
    public static Fd ConnectUnix(SimKernel kernel, string path)
    {
        var fd = kernel.Socket(SockDomain.Unix, SockType.Stream).Value;
        Assert.True(kernel.Connect(fd, new UnixSockAddr(path)).Ok);
        return fd;
    }
}
