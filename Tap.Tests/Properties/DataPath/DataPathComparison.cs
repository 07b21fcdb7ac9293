using System.Text;
using Tap.Tests.Model.DataPath;

namespace Tap.Tests.Properties.DataPath;

/// <summary>Runs one workload on the model and on the core, step by step, and describes the first step where they part.</summary>
public static class DataPathComparison
{
    /// <summary>Null when the core did everything the model predicted; otherwise a report of the first difference.</summary>
    public static string? FirstDifference(DataPathCase c, DataPathCoverage? coverage = null)
    {
        var model = new DataPathModel(c.Config);
        var harness = new DataPathHarness(c.Config, seed: 1);
        var steps = c.Ops.Add(new DataPathOp.Settle()).Add(new DataPathOp.Teardown());
        for (int i = -1; i < steps.Length; i++)
        {
            string stepName = i < 0 ? "build" : $"step {i}: {steps[i]}";
            List<string> problems;
            try
            {
                var expected = i < 0 ? model.Build() : DataPathDriver.Apply(model, c.Config, steps[i]);
                var observed = i < 0 ? harness.Build() : DataPathDriver.Apply(harness, c.Config, steps[i]);
                problems = DataPathObservation.Differences(expected, observed);
                if (problems.Count == 0 && coverage is not null)
                {
                    coverage.Add(observed);
                    if (i == steps.Length - 1)
                    {
                        coverage.AddDrops(observed);
                    }
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                problems = new List<string> { $"threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}" };
            }
            if (problems.Count > 0)
            {
                var sb = new StringBuilder();
                sb.AppendLine($"the core and the data-path model part at {stepName}");
                foreach (var p in problems)
                {
                    sb.AppendLine("  " + p);
                }
                sb.AppendLine($"workload: {c}");
                sb.AppendLine("simulated kernel record tail:");
                foreach (var line in harness.Kernel.Record.Tail(20))
                {
                    sb.AppendLine("  " + line);
                }
                return sb.ToString();
            }
        }
        return null;
    }
}
