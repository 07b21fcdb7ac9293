namespace Tap.Tests.Model.DataPath;

/// <summary>
/// One <c>-netdev tap,id=t&lt;j&gt;,ifname=tap&lt;j&gt;,script=no,downscript=no,...</c> of a data-path workload: the
/// options that change what reaches the kernel or the data path (netdev-options.md O34-O37).
/// </summary>
public sealed record DataPathNetdev(bool VnetHdr, int Queues, ulong? Sndbuf, bool Vhost, uint? PollUs)
{
    public override string ToString() =>
        $"vnet_hdr={(VnetHdr ? "on" : "off")}" + (Queues > 1 ? $",queues={Queues}" : "")
        + (Sndbuf is { } s ? $",sndbuf={s}" : "") + (Vhost ? ",vhost=on" : "") + (PollUs is { } p ? $",poll-us={p}" : "");
}
