namespace Tap.Core.Options;

public abstract record NetdevOptions
{
    public required string Id { get; init; }
    public abstract string Type { get; }
}
