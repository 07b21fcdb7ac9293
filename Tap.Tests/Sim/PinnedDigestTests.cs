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
    [InlineData(1UL, false, "23e9335b47709e13e000f11c2155dd13f45745c06628f221d1772e7f868fc8dc")]
    [InlineData(3UL, false, "47eb54744f4f38225b7cc55438adcab58e557cd53fe900c6032fc59d0127d421")]
    [InlineData(7UL, false, "e2a7a752483b91fa8299098c08acb201aea7032112c59acdbb16b85a07cabd59")]
    [InlineData(42UL, false, "cdeb9bd1c288bc51f09596f1ac418acd5247f25c72fb37d38851ef7f436ed4af")]
    [InlineData(1UL, true, "8f0caa97c266eae383b2a2ff48f370ae873fd7353039dc1446a7d5cb728e4c5b")]
    [InlineData(5UL, true, "91f5a1d38157a04f5c087c5d13ea313f192e2a7df6e80f73c0026ec7c4cf4c21")]
    [InlineData(9UL, true, "218d88416d0cbd6188ab263fe20b9772cfd8853b1822051a3589cacab23958d8")]
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
