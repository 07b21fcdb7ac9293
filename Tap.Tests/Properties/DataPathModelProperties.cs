using Tap.Tests.Model.DataPath;
using Tap.Tests.Properties.DataPath;

namespace Tap.Tests.Properties;

/// <summary>
/// The data path against its reference model (Tap.Tests/Model/DataPath, written from tap-backend.md R1-R40,
/// net-queue.md Q4-Q25 and linux-tun.md §1-§10): random workloads over every option combination, compared step by
/// step on the kernel calls (creation and vhost init values included), every frame each guest and each tap device
/// received, byte for byte and in order, completions, and drops by reason.
/// </summary>
public sealed class DataPathModelProperties(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>Default case count; TAPNET_PROPERTY_SCALE multiplies it.</summary>
    private const int Cases = 300;

    [Fact(DisplayName = "R1-R40, Q4-Q25: every peer and every tap device receives what the data-path model predicts, byte for byte, with the same kernel calls and drops")]
    public void DataPathMatchesModel()
    {
        var coverage = new DataPathCoverage();
        PropertyRun.Check(nameof(DataPathMatchesModel), DataPathGen.Arbitrary(), Cases, c =>
        {
            if (DataPathComparison.FirstDifference(c, coverage) is { } report)
            {
                throw new Xunit.Sdk.XunitException(report);
            }
            coverage.Add("workloads");
            return true;
        });
        output.WriteLine($"compared with the model:\n{coverage}");
    }
}
