namespace Tap.Core.Options;

public sealed record BridgeOptions : NetdevOptions
{
    public override string Type => "bridge";
    public string? Br { get; init; }
    public string? Helper { get; init; }
}
