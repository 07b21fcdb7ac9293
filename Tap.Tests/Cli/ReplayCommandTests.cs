using Tap.Tests.Linux;

namespace Tap.Tests.Cli;

/// <summary><c>tapnet replay</c> and <c>tapnet sim --trace</c> run as a user runs them: no root, no TUN.</summary>
public sealed class ReplayCommandTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private static string Corpus(string name) => Path.Combine(AppContext.BaseDirectory, "Traces", name + ".trace");

    [Fact(DisplayName = "replay: a real-kernel trace from the corpus replays; exit 0, the recorded diagnostics shown")]
    public void CorpusTraceReplays()
    {
        var (code, stdout, stderr) = TapnetProcess.RunToEnd(null, Limit, "replay", Corpus("init-error"));
        Assert.True(code == 0, stderr);
        Assert.Contains("replay:   -netdev tap,id=t1,", stdout, StringComparison.Ordinal);
        Assert.Matches(@"replay: \| tapnet: -netdev tap,id=t1,ifname=trf%d,script=\S+fails\.sh,downscript=no: network script \S+fails\.sh failed with status 768 \(exit code 3\)\n", stdout);
        Assert.Contains("replay: ok: ", stdout, StringComparison.Ordinal);
        Assert.Equal("", stderr);
    }

    [Fact(DisplayName = "replay: a damaged trace is exit 3 with the line, the record and the problem")]
    public void DamagedTrace()
    {
        using var dir = new TempDir();
        var lines = File.ReadAllLines(Corpus("multiqueue"));
        lines[20] = lines[20].Replace(" ok", " OK", StringComparison.Ordinal);
        string path = dir.Write("damaged.trace", string.Join('\n', lines) + "\n", executable: false);
        var (code, _, stderr) = TapnetProcess.RunToEnd(null, Limit, "replay", path);
        Assert.Equal(3, code);
        Assert.Contains($"line 21 (record 20): checksum mismatch", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", stderr, StringComparison.Ordinal);
    }

    [Fact(DisplayName = "replay: a trace cut mid-record replays its whole records, then exit 3 naming the cut")]
    public void CutTrace()
    {
        using var dir = new TempDir();
        byte[] bytes = File.ReadAllBytes(Corpus("hub-vnet-hdr"));
        string path = Path.Combine(dir.Path, "cut.trace");
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        var (code, _, stderr) = TapnetProcess.RunToEnd(null, Limit, "replay", path);
        Assert.Equal(3, code);
        Assert.Contains("records after the header match, but line ", stderr, StringComparison.Ordinal);
        Assert.Contains("is cut short", stderr, StringComparison.Ordinal);
    }

    [Theory(DisplayName = "replay: usage errors exit 2, a missing file exits 3, help exits 0")]
    [InlineData(2, "give one trace file", "replay")]
    [InlineData(2, "unknown option '--bogus'", "replay", "--bogus", "x.trace")]
    [InlineData(3, "cannot read /nonexistent/x.trace", "replay", "/nonexistent/x.trace")]
    [InlineData(0, "", "replay", "--help")]
    public void Usage(int expected, string message, params string[] args)
    {
        var (code, stdout, stderr) = TapnetProcess.RunToEnd(null, Limit, args);
        Assert.Equal(expected, code);
        Assert.Contains(message, expected == 0 ? stdout : stderr, StringComparison.Ordinal);
    }

    [Fact(DisplayName = "--trace: a trace file that cannot be created is exit 2 naming it, before any netdev exists")]
    public void TraceFileCannotBeCreated()
    {
        var (code, _, stderr) = TapnetProcess.RunToEnd(null, Limit, "--trace", "/nonexistent/dir/run.trace", "-netdev", "tap,id=t0,script=no,downscript=no");
        Assert.Equal(2, code);
        Assert.StartsWith("tapnet: --trace /nonexistent/dir/run.trace: cannot write the trace: ", stderr, StringComparison.Ordinal);
    }

    [Fact(DisplayName = "--trace: a -netdev that fails to parse still leaves a complete trace (header only), which replays")]
    public void ParseErrorLeavesACompleteTrace()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "bad.trace");
        var (code, _, stderr) = TapnetProcess.RunToEnd(null, Limit, "--trace", path, "-netdev", "tap,id=t0,queues=x");
        Assert.Equal(1, code);
        Assert.Contains("tapnet: -netdev tap,id=t0,queues=x: ", stderr, StringComparison.Ordinal);
        var trace = Tap.Trace.TraceFile.Parse(File.ReadAllBytes(path));
        Assert.Null(trace.Incomplete);
        Assert.Empty(trace.Records);
        Assert.Equal("tap,id=t0,queues=x", Assert.Single(trace.Header.Netdevs).Value);
        Assert.Equal(0, TapnetProcess.RunToEnd(null, Limit, "replay", path).Code);
    }

    [Fact(DisplayName = "sim --trace: the same seed writes the same trace file, which tapnet replay accepts")]
    public void SimTraceReplays()
    {
        using var dir = new TempDir();
        string a = Path.Combine(dir.Path, "a.trace"), b = Path.Combine(dir.Path, "b.trace");
        var (code, stdout, stderr) = TapnetProcess.RunToEnd(null, Limit, "sim", "--seed", "9", "--steps", "100", "--trace", a,
            "-netdev", "tap,id=mq,ifname=simmq0,queues=2,script=no,downscript=no");
        Assert.True(code == 0, stderr);
        Assert.Contains($"replay       tapnet replay {a}", stdout, StringComparison.Ordinal);
        Assert.Equal(0, TapnetProcess.RunToEnd(null, Limit, "sim", "--seed", "9", "--steps", "100", "--trace", b,
            "-netdev", "tap,id=mq,ifname=simmq0,queues=2,script=no,downscript=no").Code);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        var replay = TapnetProcess.RunToEnd(null, Limit, "replay", a);
        Assert.True(replay.Code == 0, replay.Stderr);
        Assert.Equal(2, TapnetProcess.RunToEnd(null, Limit, "sim", "--seeds", "1..2", "--trace", a).Code);
    }
}
