using Tap.Tests.Model;

namespace Tap.Tests.Properties;

/// <summary>
/// Every netdev option combination, crossed with simulated environments, judged against the reference model
/// written from netdev-options.md (O30-O37, netdev-options §5), helpers-and-scripts.md (S, B) and known-defects.md.
/// </summary>
public sealed class NetdevModelProperties
{
    /// <summary>Default case count; TAPNET_PROPERTY_SCALE multiplies it.</summary>
    private const int Cases = 3000;

    [Fact(DisplayName = "O30-O37, netdev-options §5, S1-S9, B1-B8, D-1..D-30: creation matches the reference model (outcome, message, queues, info, scripts, helper argv, fds)")]
    public void CreationMatchesModel() =>
        PropertyRun.Check(nameof(CreationMatchesModel), ModelGen.CaseArbitrary(), Cases, c =>
        {
            var expected = NetdevReferenceModel.Evaluate(c.Options, c.Env);
            var run = ModelHarness.Run(c.Options, c.Env);
            var problems = run.Compare(c.Options, expected);
            if (problems.Count > 0)
            {
                throw new Xunit.Sdk.XunitException(
                    $"options: {c.Options}\nenv: {ModelGen.DescribeEnv(c.Env)}\n{string.Join("\n", problems)}\nrecord tail:\n  {string.Join("\n  ", run.Kernel.Record.Tail(25))}");
            }
            return true;
        });
}
