using Tap.Tests.Linux;
using Xunit.Abstractions;

namespace Tap.Tests.Conformance;

/// <summary>
/// tapnet against the installed QEMU 7.2 (<c>qemu-system-x86_64 -M none</c>): the same -netdev arguments, run in
/// fresh namespaces under strace, must give the same outcome, the same message and the same TUN ioctls, except
/// where a case names the deliberate difference.
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class ConformanceTests(ITestOutputHelper output)
{
    private const string Qemu = "/usr/bin/qemu-system-x86_64";

    private const string FakeHelper = """
import os, socket, sys, fcntl, struct, array
mode = sys.argv[1]
fd = int([a for a in sys.argv if a.startswith("--fd=")][0][5:])
s = socket.socket(fileno=fd)
if mode == "exit1":
    sys.exit(1)
if mode == "eof":
    sys.exit(0)
if mode == "send-null":
    f = os.open("/dev/null", os.O_RDWR)
else:
    f = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(f, 0x400454ca, struct.pack("16sH22x", b"cfh%d", 0x1002 | 0x4000))
s.sendmsg([b"\0"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [f]))])
""";

    private const string TapFdWrapper = """
import os, sys, fcntl, struct
f = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(f, 0x400454ca, struct.pack("16sH22x", b"cfin%d", 0x1002 | 0x4000))
if f != 3:
    os.dup2(f, 3)
    os.close(f)
os.set_inheritable(3, True)
os.execvp(sys.argv[1], sys.argv[1:])
""";

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in ConformanceCases.All)
        {
            data.Add(c.Name);
        }
        return data;
    }

    private void RequirePrograms()
    {
        LinuxTestGate.RequireTun(output);
        LinuxTestGate.RequireFile(output, Qemu, "qemu-system-x86");
        LinuxTestGate.RequireTool(output, "strace", "strace");
        LinuxTestGate.RequireFile(output, "/usr/bin/python3", "python3");
    }

    [SkippableTheory(DisplayName = "Conformance with QEMU 7.2")]
    [MemberData(nameof(CaseNames))]
    public void Case(string name)
    {
        RequirePrograms();
        var c = ConformanceCases.All.Single(x => x.Name == name);
        ConformanceRun qemu, ours;
        // "bridge without ACL" expects no ACL: a leftover or a user's own file must not turn the case into another.
        using (new BridgeAcl(null))
        {
            (qemu, ours) = RunBoth(c);
        }
        output.WriteLine($"qemu:   {qemu.Outcome} {qemu.ExitCode} '{qemu.Message}'\n        {string.Join(" | ", qemu.TunIoctls)}");
        output.WriteLine($"tapnet: {ours.Outcome} {ours.ExitCode} '{ours.Message}'\n        {string.Join(" | ", ours.TunIoctls)}");
        RecordRow(c, qemu, ours);
        switch (c.Expect)
        {
            case Expect.Same:
                Assert.Equal(qemu.Outcome, ours.Outcome);
                Assert.Equal(qemu.Message, WithoutCause(qemu.Message, ours.Message));
                Assert.Equal(NormalizeQemu(qemu.TunIoctls), NormalizeOurs(ours.TunIoctls));
                break;
            case Expect.SameMessage:
                Assert.Equal(qemu.Outcome, ours.Outcome);
                Assert.Equal(FdNumbers(c, qemu.Message), FdNumbers(c, ours.Message));
                break;
            case Expect.Differs:
                Assert.Equal(RunOutcome.Error, ours.Outcome);
                Assert.Equal(c.OurMessage, ours.Message);
                Assert.False(qemu.Outcome == ours.Outcome && qemu.Message == ours.Message, "QEMU behaves like us here: not a difference");
                break;
        }
    }

    /// <summary>Where each case appends its row; scripts/test.sh prints the table after the run.</summary>
    public static string TablePath => Path.Combine(AppContext.BaseDirectory, "conformance-table.md");

    private static readonly object TableLock = new();

    private static void RecordRow(ConformanceCase c, ConformanceRun qemu, ConformanceRun ours)
    {
        bool ioctlsEqual = NormalizeQemu(qemu.TunIoctls).SequenceEqual(NormalizeOurs(ours.TunIoctls));
        string Cell(ConformanceRun r) => $"{r.Outcome} ({r.ExitCode}){(r.Message.Length > 0 ? ": " + r.Message.Replace("|", "\\|") : "")}";
        string row = $"| {c.Name} | `{string.Join(" ", c.Netdevs.Select(n => "-netdev " + n)).Replace("|", "\\|")}` | {c.Expect}{(c.Reason.Length > 0 ? ": " + c.Reason : "")} | {Cell(qemu)} | {Cell(ours)} | {(ioctlsEqual ? "same" : "differ")} |";
        lock (TableLock)
        {
            if (!File.Exists(TablePath))
            {
                File.WriteAllText(TablePath, "| case | arguments | expectation | QEMU 7.2 | tapnet | TUN ioctls |\n| --- | --- | --- | --- | --- | --- |\n");
            }
            File.AppendAllText(TablePath, row + "\n");
        }
    }

    /// <summary>
    /// D-27: tapnet says what a script's or helper's raw wait status means after QEMU's own text, as
    /// <c>QEMU-MESSAGE (exit code 1)</c>. Only that tail, and only on those two messages, is taken off.
    /// </summary>
    internal static string WithoutCause(string qemuMessage, string ours)
    {
        bool childFailure = qemuMessage == "bridge helper failed"
            || (qemuMessage.StartsWith("network script ", StringComparison.Ordinal) && qemuMessage.Contains(" failed with status ", StringComparison.Ordinal));
        return childFailure && ours.StartsWith(qemuMessage + " (", StringComparison.Ordinal) && ours.EndsWith(')')
            ? qemuMessage
            : ours;
    }

    private static string FdNumbers(ConformanceCase c, string message) =>
        c.IgnoreFdNumbers ? System.Text.RegularExpressions.Regex.Replace(message, @"FD \d+", "FD N") : message;

    /// <summary>Runs both programs for one case, each in its own new namespace.</summary>
    internal static (ConformanceRun Qemu, ConformanceRun Ours) RunBoth(ConformanceCase c)
    {
        using var dir = new TempDir();
        var helper = dir.Write("helper.py", FakeHelper, executable: false);
        var helperCmd = dir.Write("helper", $"#!/bin/sh\nexec /usr/bin/python3 {helper} \"$@\"\n");
        var wrapper = c.WithTapFd ? dir.Write("wrap.py", TapFdWrapper, executable: false) : null;
        dir.Write("exit3.sh", "#!/bin/sh\nexit 3\n");
        dir.Write("ok.sh", "#!/bin/sh\nexit 0\n");
        var netdevs = c.Netdevs.Select(n => n.Replace("{HELPER}", helperCmd).Replace("{SCRIPTS}", dir.Path)).ToArray();
        ConformanceRun Run(string program)
        {
            using var ns = TestNetns.Create();
            return ConformanceRun.Execute(program, netdevs, ns.Name, dir.Path, wrapper, c.TapnetOptions);
        }
        return (Run("qemu"), Run("tapnet"));
    }

    /// <summary>
    /// QEMU 7.2's sequence in the seed's terms: without D-24's TUNSETVNETHDRSZ before TUNSETIFF (always EBADFD),
    /// and with 7.2's header-length probe (TUNGETVNETHDRSZ, a refused or restored TUNSETVNETHDRSZ) reduced to the
    /// seed's single set (R8).
    /// </summary>
    internal static List<string> NormalizeQemu(IReadOnlyList<string> ioctls) =>
        Collapse(ioctls.Where(i => i != "TUNSETVNETHDRSZ = EBADFD" && i != "TUNGETVNETHDRSZ = 0" && i != "TUNSETVNETHDRSZ = EINVAL"));

    /// <summary>Ours without the seed's USO probe (R6), which 7.2 does not have, and without D-21's clearing of what
    /// a previous user of the device may have left, which QEMU does not do.</summary>
    internal static List<string> NormalizeOurs(IReadOnlyList<string> ioctls) =>
        Collapse(ioctls.Where(i => !i.StartsWith("TUNSETOFFLOAD 0x61 ", StringComparison.Ordinal) && !IsStaleStateReset(i)));

    private static bool IsStaleStateReset(string ioctl) =>
        ioctl is "TUNSETSTEERINGEBPF = 0" or "TUNSETFILTEREBPF = 0" or "TUNSETTXFILTER = 0" or "TUNDETACHFILTER = 0" or "TUNSETVNETLE = 0";

    private static List<string> Collapse(IEnumerable<string> ioctls)
    {
        var list = new List<string>();
        foreach (var i in ioctls)
        {
            if (i == "TUNSETVNETHDRSZ = 0" && list.Count > 0 && list[^1] == i)
            {
                continue;
            }
            list.Add(i);
        }
        return list;
    }
}
