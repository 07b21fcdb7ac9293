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
    [InlineData(1UL, false, "bd34e9495da786dd54dfa3bddfea986588c2a75116c18617a7b18d4eca81f6f8")]
    [InlineData(3UL, false, "875e5858aecd1c8797ab8026fa04260fc635db39b9ebfcec2e76aebb56eab41d")]
    [InlineData(7UL, false, "de8ffc6d69b451256458e905cd224cafbfbbf85bdd17180eee41f5982eacaf3c")]
    [InlineData(42UL, false, "bac44152cf9be9e768ce1cc65c413031045d47691bb1e891ae9e38f68805b528")]
    [InlineData(1UL, true, "bbaa585a7333bcdf7cd180ccd6a3a15fc4470f746f930acc86c111df17251682")]
    [InlineData(5UL, true, "0c43b4c6914c387713589e827b0715c04559fd31b67ad12f8131fbae0de3ebfe")]
    [InlineData(9UL, true, "c3d89522e6a4fdadc2824fab4dae4ee2161175778f7e4d9fafe2408f526ef02f")]
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
