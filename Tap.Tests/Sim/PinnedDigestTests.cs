using System.Text.RegularExpressions;
using Tap.Cli;

namespace Tap.Tests.Sim;

/// <summary>
/// "Same seed, same run" must also mean "unchanged unless meant": the SHA-256 of the record of
/// <c>tapnet sim --seed N</c> (every kernel call and event, byte for byte) is pinned for a handful of seeds, default
/// and swarm. Any change to what the core asks of the kernel, to the simulated kernel, to the workload or to the
/// generator moves them.
///
/// To re-pin after a deliberate change: run
/// <c>dotnet run -c Release --project Tap.Cli -- sim --seed N [--swarm]</c> for each row, copy the hex after
/// <c>sha256</c> into the row, and say in the commit message what changed and why the runs differ.
/// </summary>
public sealed partial class PinnedDigestTests
{
    [Theory(DisplayName = "Pinned digests: tapnet sim --seed N [--swarm] records exactly the pinned run")]
    [InlineData(1UL, false, "458ff393cbcfbe49bb95414a994c1a9108fd64d27021271120c4bf345475de79")]
    [InlineData(3UL, false, "41f1547d5106aa087b2575dd477834a035f7207380ee3194205687e659a845e5")]
    [InlineData(7UL, false, "62a760fccd1f73e20798dc36b3f071280c05bd62ba1966e8cd278cadcbbe8904")]
    [InlineData(42UL, false, "e5687d3ca49c1777d02344073ba256de6aefb8610cf446e0238ead933018cdfe")]
    [InlineData(1UL, true, "6ce269a0358eaae12973606291bc0ef004e4be339dd31466ec224d8af217cca6")]
    [InlineData(5UL, true, "5c219e872f41782cff42d48bc4f8618c897a3ca839e410bedf90121bc8c2c16a")]
    [InlineData(9UL, true, "8e65b1898ca91c3ee2bf971d6ebdf91bbdad41abce067e43aaadb7f08b3be785")]
    public void Pinned(ulong seed, bool swarm, string sha256)
    {
        var args = swarm ? new[] { "--seed", $"{seed}", "--swarm" } : new[] { "--seed", $"{seed}" };
        var stdout = new StringWriter();
        int code = SimCommand.Run("tapnet", args, stdout, TextWriter.Null);
        var text = stdout.ToString();
        Assert.True(code == 0, text);
        var digest = Digest().Match(text);
        Assert.True(digest.Success, text);
        Assert.True(sha256 == digest.Groups[1].Value,
            $"tapnet sim {string.Join(' ', args)} recorded a different run: pinned {sha256}, now {digest.Groups[1].Value}.\n" +
            "If the change was meant, re-pin (see the class comment); if not, the run changed by accident.\n" + text);
    }

    [GeneratedRegex(@"sha256 ([0-9a-f]{64})")]
    private static partial Regex Digest();
}
