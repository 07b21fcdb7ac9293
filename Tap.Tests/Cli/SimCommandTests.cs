using Tap.Tests.Linux;

namespace Tap.Tests.Cli;

/// <summary>tapnet sim driven as a user runs it.</summary>
public sealed class SimCommandTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact(DisplayName = "sim --seed: the same seed prints the same record digest; every invariant held")]
    public void OneSeed()
    {
        var (code, first, _) = TapnetProcess.RunToEnd(null, Limit, "sim", "--seed", "42", "--steps", "500");
        var (_, second, _) = TapnetProcess.RunToEnd(null, Limit, "sim", "--seed", "42", "--steps", "500");
        Assert.Equal(0, code);
        Assert.StartsWith("seed 42\n", first, StringComparison.Ordinal);
        Assert.Contains("ok: every invariant held", first, StringComparison.Ordinal);
        Assert.Equal(first, second);
        var (_, other, _) = TapnetProcess.RunToEnd(null, Limit, "sim", "--seed", "43", "--steps", "500");
        Assert.NotEqual(first.Split("sha256")[1], other.Split("sha256")[1]);
    }

    [Fact(DisplayName = "sim --seeds: a campaign reports progress and a closing count")]
    public void Campaign()
    {
        var (code, stdout, _) = TapnetProcess.RunToEnd(null, Limit, "sim", "--seeds", "1..12", "--steps", "200", "--faults", "WriteEagain,ReadEintr");
        Assert.Equal(0, code);
        Assert.Contains("12/12 seeds, 0 failed", stdout, StringComparison.Ordinal);
        Assert.StartsWith("seeds 1..12, 200 steps each", stdout, StringComparison.Ordinal);
        Assert.Contains("\n12 passed, 0 failed (", stdout, StringComparison.Ordinal);
    }

    [Theory(DisplayName = "sim: usage errors say what to do next and exit 2")]
    [InlineData("sim", "give --seed N or --seeds A..B")]
    [InlineData("sim --seed x", "'x' is not a seed")]
    [InlineData("sim --seeds 5..1", "--seeds A..B needs A <= B")]
    [InlineData("sim --seed 1 --faults bogus", "unknown fault 'bogus'")]
    [InlineData("sim --seed 1 --steps 0", "--steps takes a positive number")]
    [InlineData("sim --what", "unknown option '--what'")]
    [InlineData("sim --seed 1 --swarm --trace x.trace", "--swarm draws data-path runs; it does not go with --trace")]
    public void UsageErrors(string args, string message)
    {
        var (code, _, stderr) = TapnetProcess.RunToEnd(null, Limit, args.Split(' '));
        Assert.Equal(2, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Contains("try tapnet sim --help", stderr, StringComparison.Ordinal);
    }

    [Fact(DisplayName = "sim --help and tapnet --version")]
    public void HelpAndVersion()
    {
        var (code, stdout, _) = TapnetProcess.RunToEnd(null, Limit, "sim", "--help");
        Assert.Equal(0, code);
        Assert.StartsWith("usage: tapnet sim", stdout, StringComparison.Ordinal);
        var (vcode, version, _) = TapnetProcess.RunToEnd(null, Limit, "--version");
        Assert.Equal(0, vcode);
        Assert.StartsWith("tapnet ", version, StringComparison.Ordinal);
    }
}
