using Xunit.Abstractions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Tap.Tests.Model;

/// <summary>Sanity properties of the model over the generators, plus a check that generation reaches deep branches.</summary>
public sealed class ModelPropertyTests(ITestOutputHelper output)
{
    [Property(Arbitrary = [typeof(ModelArbitraries)], MaxTest = 2000)]
    public bool ModelIsTotalAndConsistent(ModelCase c)
    {
        var outcome = NetdevReferenceModel.Evaluate(c.Options, c.Env);
        Assert.True(outcome.TakenFds.IsSubsetOf(c.Env.Fds.Keys), "taken fds must exist");
        Assert.True(outcome.ScriptRuns.Count(s => s.Role == ScriptRole.Setup) <= 1);
        Assert.True(outcome.ScriptRuns.Count(s => s.Role == ScriptRole.Down) <= 1);
        if (outcome.HelperArgv is null)
        {
            Assert.Null(outcome.HelperFd);
        }

        switch (outcome)
        {
            case ModelError e:
                Assert.False(string.IsNullOrEmpty(e.Message));
                if (e.Phase == FailurePhase.Options)
                {
                    Assert.Empty(e.TakenFds);
                    Assert.Empty(e.ScriptRuns);
                    Assert.Null(e.HelperArgv);
                }

                if (e.ScriptRuns.Any(s => s.Role == ScriptRole.Down))
                {
                    Assert.Equal(FailurePhase.QueueSetup, e.Phase);
                }

                break;
            case ModelCreated created:
                Assert.InRange(created.Queues.Length, 1, NetdevReferenceModel.MaxQueues);
                Assert.Single(created.Queues.Select(q => q.VnetHdr).Distinct());
                Assert.DoesNotContain(created.ScriptRuns, s => s.Role == ScriptRole.Down);
                Assert.All(created.CreatedInterfaces, n => Assert.False(c.Env.Interfaces.ContainsKey(n)));
                Assert.All(created.Queues, q => Assert.True(q.Info.Length <= 255));
                if (c.Options.Kind == NetdevKind.Bridge)
                {
                    var q = Assert.Single(created.Queues);
                    Assert.Equal("bridge", q.Model);
                    Assert.Null(q.Sndbuf);
                    Assert.False(q.Vhost);
                }

                break;
            default:
                Assert.Fail("unknown outcome");
                break;
        }

        return true;
    }

    [Fact(DisplayName = "ModelGen reaches deep branches (not mostly early option errors)")]
    public void GenerationReachesDeepBranches()
    {
        var cases = ModelGen.Cases.Sample(4000, new Rnd(20251124UL), 20);
        var outcomes = cases.Select(c => NetdevReferenceModel.Evaluate(c.Options, c.Env)).ToList();
        var created = outcomes.OfType<ModelCreated>().ToList();
        var errors = outcomes.OfType<ModelError>().ToList();
        var byPhase = errors.GroupBy(e => e.Phase).ToDictionary(g => g.Key, g => g.Count());

        var summary = $"total {outcomes.Count}, created {created.Count}, "
            + string.Join(", ", Enum.GetValues<FailurePhase>().Select(p => $"{p} {byPhase.GetValueOrDefault(p)}"));
        output.WriteLine(summary);
        Assert.True(created.Count > outcomes.Count / 4, summary);
        Assert.True(errors.Count(e => e.Phase == FailurePhase.Options) < outcomes.Count / 3,
            summary);
        foreach (var phase in Enum.GetValues<FailurePhase>())
        {
            Assert.True(byPhase.GetValueOrDefault(phase) >= 20, $"phase {phase}: {summary}");
        }

        Assert.Contains(created, c => c.Queues.Length > 1 && c.HelperArgv is null && c.Queues[0].TunFlags is not null);
        Assert.Contains(created, c => c.Queues.Length > 1 && c.Queues[0].Fd is not null);
        Assert.Contains(created, c => c.Queues.Any(q => q.Vhost));
        Assert.Contains(created, c => c.HelperArgv is not null && c.Queues[0].Model == "bridge");
        Assert.Contains(errors, e => e.ScriptRuns.Any(s => s.Role == ScriptRole.Down));
        Assert.Contains(errors, e => e.Phase == FailurePhase.QueueSetup && e.TakenFds.Count > 1);
    }
}
