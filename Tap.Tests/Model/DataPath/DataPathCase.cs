using System.Collections.Immutable;

namespace Tap.Tests.Model.DataPath;

/// <summary>One generated data-path workload: a topology and the steps run on it.</summary>
public sealed record DataPathCase(DataPathConfig Config, ImmutableArray<DataPathOp> Ops)
{
    public override string ToString() =>
        $"{Config}\n  steps ({Ops.Length}):\n    " + string.Join("\n    ", Ops.Select((op, i) => $"{i}: {op}"));
}
