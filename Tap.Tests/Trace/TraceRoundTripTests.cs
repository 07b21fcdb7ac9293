using Tap.Trace;
using Xunit.Abstractions;

namespace Tap.Tests.Trace;

/// <summary>Simulation -> trace -> replay: the replay, recorded again, gives the same trace byte for byte.</summary>
public sealed class TraceRoundTripTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases => new(SimTraceCases.All.Keys);

    [Theory(DisplayName = "Trace: a simulated run replays to the same trace, byte for byte")]
    [MemberData(nameof(Cases))]
    public void SimulationReplaysToTheSameTrace(string name)
    {
        var c = SimTraceCases.All[name];
        foreach (ulong seed in new ulong[] { 1, 2, 3, 0xdecafbad })
        {
            string original = SimTraceCases.Record(c, seed);
            var trace = TraceFile.Parse(SimTraceCases.Bytes(original));
            Assert.Null(trace.Incomplete);
            var again = new MemoryTraceSink();
            var outcome = TraceReplayer.Replay(trace, rerecord: again);
            Assert.True(outcome.Ok, $"seed {seed}: {outcome.Message}");
            Assert.Equal(trace.Records.Count, outcome.RecordsReplayed);
            // Hashed payloads replay as zeros of the recorded lengths: their hashes (and so the line checksums)
            // differ, everything else must not.
            string expected = c.Payloads == TracePayloads.Hash ? WithoutHashes(original) : original;
            string actual = c.Payloads == TracePayloads.Hash ? WithoutHashes(again.Text) : again.Text;
            if (actual != expected)
            {
                var a = expected.Split('\n');
                var b = actual.Split('\n');
                int i = Enumerable.Range(0, Math.Min(a.Length, b.Length)).FirstOrDefault(k => a[k] != b[k], Math.Min(a.Length, b.Length));
                Assert.Fail($"seed {seed}: line {i + 1} differs:\n  recorded: {(i < a.Length ? a[i] : "(end)")}\n  replayed: {(i < b.Length ? b[i] : "(end)")}");
            }
            output.WriteLine($"{name} seed {seed}: {trace.Records.Count} records, {outcome.Events} events, {original.Length} bytes");
        }
    }

    private static string WithoutHashes(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, @"(\d+)#[0-9a-f]{8}| \*[0-9a-f]{8}$", "$1#", System.Text.RegularExpressions.RegexOptions.Multiline);

    [Fact(DisplayName = "Trace: the vhost case hands queues to vhost and back (R25a, R25b), so its round trip covers them")]
    public void VhostCaseStartsAndStops()
    {
        string text = SimTraceCases.Record(SimTraceCases.All["vhost"], 1);
        Assert.Contains(" vhost-start ", text, StringComparison.Ordinal);
        Assert.Contains(" vhost-stop ", text, StringComparison.Ordinal);
        Assert.Contains("VhostNetStart ", text, StringComparison.Ordinal);
        Assert.Contains("VhostNetStop ", text, StringComparison.Ordinal);
        Assert.Contains("VhostNetInit 5 3 1 20", text.Replace("  ", " "), StringComparison.Ordinal);
    }

    [Fact(DisplayName = "Trace: the stream and dgram cases record socket calls and frames across them (ST2)")]
    public void SocketCasesCrossTheSockets()
    {
        string stream = SimTraceCases.Record(SimTraceCases.All["stream"], 1);
        Assert.Contains("Socket Unix Stream", stream, StringComparison.Ordinal);
        Assert.Contains("Listen ", stream, StringComparison.Ordinal);
        Assert.Contains("Accept ", stream, StringComparison.Ordinal);
        Assert.Contains("Connect ", stream, StringComparison.Ordinal);
        Assert.Contains("\"u:t:/sim/s.sock\"", stream, StringComparison.Ordinal);
        string dgram = SimTraceCases.Record(SimTraceCases.All["dgram"], 1);
        Assert.Contains("SendTo ", dgram, StringComparison.Ordinal);
        Assert.Contains("Write ", stream, StringComparison.Ordinal);
        Assert.Contains("\"i:169.254.7.2:7002\"", dgram, StringComparison.Ordinal);
    }

    [Fact(DisplayName = "Trace: the same seed records the same trace; another seed another")]
    public void SameSeedSameTrace()
    {
        var c = SimTraceCases.All["hub"];
        Assert.Equal(SimTraceCases.Record(c, 7), SimTraceCases.Record(c, 7));
        Assert.NotEqual(SimTraceCases.Record(c, 7), SimTraceCases.Record(c, 8));
    }
}
