using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;
using Tap.Core.Socket;
using Tap.Linux;
using Tap.Tests.Core;

namespace Tap.Tests.Linux;

/// <summary>
/// ST2, ST5, ST8-ST10 on the real kernel, over a unix socket in a private directory (no network, no root): the
/// Linux socket seam carries frames between a stream server and a stream client in one process.
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class StreamOnLinuxTests
{
    [Fact(DisplayName = "ST5, ST8-ST10: a stream client and server over a unix socket carry frames both ways")]
    public void Unix_stream_pair()
    {
        using var dir = new TempDir();
        string path = dir.File_("s.sock");
        using var pair = new UnixPair(path);
        var nicA = new ScriptedClient(pair.Stack, pair.Server, "a");
        var nicB = new ScriptedClient(pair.Stack, pair.Client, "b");

        var big = ScriptedClient.Frame(1, 60000);
        var small = ScriptedClient.Frame(2, 60);
        Assert.Equal(big.Length, nicB.Send(big));
        Assert.Equal(small.Length, nicA.Send(small));
        for (int i = 0; i < 200 && (nicA.Got.Count < 1 || nicB.Got.Count < 1); i++)
        {
            pair.Loop.RunOnce(10);
        }
        Assert.Equal(new[] { big }, nicA.Got);
        Assert.Equal(new[] { small }, nicB.Got);
        Assert.Empty(pair.Reports);

        pair.Stack.DeleteAll();
        Assert.False(File.Exists(path), "the server removes its socket file at cleanup");
        Assert.Equal(0, pair.Os.OwnedFdCount);
    }

    [Fact(DisplayName = "ST4: a unix path of 108 bytes fills sun_path without a NUL and still connects, as in QEMU")]
    public void Unix_path_filling_sun_path()
    {
        using var dir = new TempDir();
        string path = dir.File_(new string('p', 108 - dir.Path.Length - 1));
        Assert.Equal(108, path.Length);
        using var pair = new UnixPair(path);
        Assert.Empty(pair.Reports);
        pair.Stack.DeleteAll();
        Assert.False(File.Exists(path), "the server removes its socket file at cleanup");
    }

    /// <summary>
    /// A stream server on <c>path</c> and a client of it in one process on the real kernel, connected (each one's
    /// info string naming the path) before the test goes on.
    /// </summary>
    private sealed class UnixPair : IDisposable
    {
        public UnixPair(string path)
        {
            Os = new LinuxOsNet(Loop, new LinuxOsNetOptions { ReportSink = Reports.Add });
            try
            {
                Server = Create($"stream,id=s0,server=on,addr.type=unix,addr.path={path}");
                Assert.Equal("listening", Server.InfoStr);
                Client = Create($"stream,id=s1,addr.type=unix,addr.path={path}");
                for (int i = 0; i < 100 && !Server.IsConnected; i++)
                {
                    Loop.RunOnce(10);
                }
                Assert.True(Server.IsConnected, "the server accepted within 100 loop turns of 10 ms");
                Assert.Equal($"unix:{path}", Server.InfoStr);
                Assert.Equal($"unix:{path}", Client.InfoStr);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public EpollLoop Loop { get; } = new();
        public LinuxOsNet Os { get; }
        public NetStack Stack { get; } = new();
        public List<Diagnostic> Reports { get; } = new();
        public StreamBackend Server { get; }
        public StreamBackend Client { get; }

        private StreamBackend Create(string arg) =>
            (StreamBackend)StreamInit.Run(Stack, Os, (StreamOptions)NetdevParser.Parse(arg).Options!).Created[0];

        public void Dispose()
        {
            Os.Dispose();
            Loop.Dispose();
        }
    }
}
