using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Linux.Interop;
using Tmds.Linux;
using Xunit.Abstractions;

namespace Tap.Tests.Linux;

[Collection(LinuxCollection.Name)]
public sealed class BridgeHelperTests(ITestOutputHelper output)
{
    private const string Python = "/usr/bin/python3";

    /// <summary>A fake qemu-bridge-helper: argv[1] says what to do with the socket given as --fd=N.</summary>
    private const string FakeHelper = """
        #!/usr/bin/python3
        import fcntl, json, os, socket, struct, sys, time
        mode = sys.argv[1]
        sock = socket.socket(fileno=int([a for a in sys.argv if a.startswith('--fd=')][0][5:]))
        def tap():
            fd = os.open('/dev/net/tun', os.O_RDWR)
            fcntl.ioctl(fd, 0x400454ca, struct.pack('16sH22x', b'hlp%d', 0x5002))  # TUNSETIFF TAP|NO_PI|VNET_HDR
            return fd
        def send(fds):
            socket.send_fds(sock, [b'\0'], fds)
        if mode == 'record':
            fds = {}
            for n in os.listdir('/proc/self/fd'):
                try: fds[n] = os.readlink('/proc/self/fd/' + n)
                except OSError: pass
            fds = {n: t for n, t in fds.items() if not t.startswith('/proc/')}
            with open(sys.argv[2], 'w') as f: json.dump({'argv': sys.argv, 'fds': fds}, f)
            send([tap()])
        elif mode == 'send-tap': send([tap()])
        elif mode == 'send-tap-exit1': send([tap()]); sys.exit(1)
        elif mode == 'send-tap-hang': send([tap()]); time.sleep(30)
        elif mode == 'send-null': send([os.open('/dev/null', os.O_RDWR)])
        elif mode == 'send-two': send([tap(), os.open('/dev/null', os.O_RDWR)])
        elif mode == 'send-ten': send([os.open('/dev/null', os.O_RDWR) for _ in range(10)])  # more than we make room for: MSG_CTRUNC
        elif mode == 'byte': sock.send(b'x')
        elif mode == 'exit1': sys.exit(1)
        elif mode == 'exit0': pass
        elif mode == 'hang': time.sleep(30)
        """;

    public static TheoryData<string, HelperReceive, ChildEnd, int> Outcomes => new()
    {
        // mode, what the receive must be, how the child must end, its code (B9, D-7, D-8, D-14)
        { "send-tap", HelperReceive.Fd, ChildEnd.Exited, 0 },
        { "send-tap-exit1", HelperReceive.Fd, ChildEnd.Exited, 1 },
        { "send-null", HelperReceive.Fd, ChildEnd.Exited, 0 },
        { "send-two", HelperReceive.NoFd, ChildEnd.Exited, 0 },
        { "send-ten", HelperReceive.NoFd, ChildEnd.Exited, 0 },
        { "byte", HelperReceive.NoFd, ChildEnd.Exited, 0 },
        { "exit0", HelperReceive.Eof, ChildEnd.Exited, 0 },
        { "exit1", HelperReceive.Eof, ChildEnd.Exited, 1 },
        { "hang", HelperReceive.Error, ChildEnd.TimedOut, 0 },
        { "send-tap-hang", HelperReceive.Fd, ChildEnd.TimedOut, 0 },
    };

    [SkippableTheory(DisplayName = "B6/B9, D-7, D-8, D-14: every helper behaviour gives its own outcome and leaves no fd open")]
    [MemberData(nameof(Outcomes))]
    public void HelperOutcomes(string mode, HelperReceive receive, ChildEnd end, int code)
    {
        var kernel = RealKernel.Tun(output).RequireFile("/usr/bin/python3", "python3");
        using var dir = new TempDir();
        var helper = dir.Write("helper.py", FakeHelper);
        kernel.InNamespace((_, rig) =>
        {
            var outcome = rig.Os.RunBridgeHelper(new HelperLaunch(helper, [mode], ["--br=br0"]));
            output.WriteLine(outcome.ToString());
            Assert.Equal((receive, end, code), (outcome.Receive, outcome.Child.End, outcome.Child.Code));
            if (receive == HelperReceive.Error)
            {
                Assert.Equal(Errno.ETIMEDOUT, outcome.Error);
            }
            if (receive == HelperReceive.Fd)
            {
                Assert.Equal(1, rig.Os.OwnedFdCount);
                Assert.Equal(LibC.FD_CLOEXEC, Libc.FcntlNumber(outcome.ReceivedFd.Number, LibC.F_GETFD, 0) & LibC.FD_CLOEXEC);
                var probe = rig.Os.TunGetIff(outcome.ReceivedFd);
                if (mode == "send-null")
                {
                    Assert.Equal(Errno.ENOTTY, probe.Error); // B9: "Inappropriate ioctl for device"
                }
                else
                {
                    Assert.StartsWith("hlp", probe.Value.Name);
                    Assert.True(probe.Value.Flags.HasFlag(TunFlags.VnetHdr));
                }
                Assert.True(rig.Os.Close(outcome.ReceivedFd).Ok);
            }
            Assert.Equal(0, rig.Os.OwnedFdCount);
        }, childTimeout: TimeSpan.FromSeconds(mode.EndsWith("hang", StringComparison.Ordinal) ? 1 : 20));
    }

    [SkippableFact(DisplayName = "B5: the helper runs with argv [program, ..before, --fd=3, ..after] and keeps only 0, 1, 2 and its socket")]
    public void HelperArgvAndFds()
    {
        var kernel = RealKernel.Tun(output).RequireFile("/usr/bin/python3", "python3");
        using var dir = new TempDir();
        var helper = dir.Write("helper.py", FakeHelper);
        var record = dir.File_("record.json");
        kernel.InNamespace((_, rig) =>
        {
            Assert.True(rig.Os.OpenTunControl().Ok); // ours, must not leak into the helper
            var outcome = rig.Os.RunBridgeHelper(new HelperLaunch(helper, ["record", record, "--use-vnet"], ["--br=br0"]));
            Assert.Equal(HelperReceive.Fd, outcome.Receive);
            Assert.True(outcome.Child.Succeeded);
        });
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(record));
        Assert.Equal([helper, "record", record, "--use-vnet", "--fd=3", "--br=br0"],
            json.RootElement.GetProperty("argv").EnumerateArray().Select(e => e.GetString()));
        var fds = json.RootElement.GetProperty("fds").EnumerateObject().ToDictionary(p => int.Parse(p.Name), p => p.Value.GetString()!);
        output.WriteLine(string.Join(", ", fds.Select(kv => $"{kv.Key}={kv.Value}")));
        Assert.Equal([0, 1, 2, 3], fds.Keys.Order());
        Assert.StartsWith("socket:", fds[3]);
    }

    [SkippableFact(DisplayName = "B4/B5: a helper path that does not exist is an exec failure: EOF and exit status 1, as QEMU's child")]
    public void MissingHelper()
    {
        RealKernel.Spawn(output).OnHost(rig =>
        {
            var outcome = rig.Os.RunBridgeHelper(new HelperLaunch("/nonexistent/qemu-bridge-helper", ["--use-vnet"], ["--br=br0"]));
            Assert.Equal(HelperReceive.Eof, outcome.Receive);
            Assert.Equal(ChildOutcome.ExecFailure(Errno.ENOENT), outcome.Child);
        });
    }

}
