using FsCheck;
using FsCheck.Fluent;

namespace Tap.Tests.Properties;

/// <summary>
/// Runs an FsCheck property with a seed we choose and print, so that any failure names the command that replays it.
/// <c>TAPNET_PROPERTY_SCALE=N</c> multiplies the number of cases; <c>TAPNET_REPLAY=seed,gamma</c> replays one run.
/// </summary>
public static class PropertyRun
{
    /// <summary>The multiplier from TAPNET_PROPERTY_SCALE (default 1).</summary>
    public static int Scale => int.TryParse(Environment.GetEnvironmentVariable("TAPNET_PROPERTY_SCALE"), out int s) && s > 0 ? s : 1;

    public static void Check<T>(string testName, Arbitrary<T> arbitrary, int cases, Func<T, bool> body)
    {
        var (seed, gamma) = ChooseSeed();
        var config = Config.QuickThrowOnFailure.WithMaxTest(cases * Scale).WithReplay(seed, gamma);
        try
        {
            Prop.ForAll(arbitrary, body).Check(config);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException(
                $"{e.Message}\nproperty seed: {seed},{gamma}\nreplay: TAPNET_REPLAY={seed},{gamma} dotnet test Tap.Tests --filter \"FullyQualifiedName~{testName}\"");
        }
    }

    private static (ulong Seed, ulong Gamma) ChooseSeed()
    {
        var replay = Environment.GetEnvironmentVariable("TAPNET_REPLAY");
        if (replay is not null)
        {
            var parts = replay.Split(',');
            return (ulong.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), ulong.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        return ((ulong)System.Random.Shared.NextInt64(), (ulong)System.Random.Shared.NextInt64() | 1);
    }
}
