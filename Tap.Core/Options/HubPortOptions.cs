namespace Tap.Core.Options;

public sealed record HubPortOptions : NetdevOptions
{
    public override string Type => "hubport";
    public int HubId { get; init; }
    public string? Netdev { get; init; }
}
