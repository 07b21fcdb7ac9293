namespace Tap.Core.Options;

public sealed record TapOptions : NetdevOptions
{
    public override string Type => "tap";
    public string? Ifname { get; init; }
    public string? Fd { get; init; }
    public string? Fds { get; init; }
    public string? Script { get; init; }
    public string? Downscript { get; init; }
    public string? Br { get; init; }
    public string? Helper { get; init; }
    public ulong? Sndbuf { get; init; }
    public bool? VnetHdr { get; init; }
    public bool? Vhost { get; init; }
    public string? Vhostfd { get; init; }
    public string? Vhostfds { get; init; }
    public bool? Vhostforce { get; init; }
    public uint? Queues { get; init; }
    public uint? PollUs { get; init; }
}
