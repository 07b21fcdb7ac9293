using System.Collections.Immutable;

namespace Tap.Tests.Model;

public static partial class NetdevReferenceModel
{
    /// <summary>Queue setup (O34-O36): sndbuf, then vhost.</summary>
    private sealed partial class Run
    {
        private bool IsVhostfdWithoutVhost(bool hasVhostFd) => hasVhostFd && o.Vhost == false;

        private bool VhostWanted(bool hasVhostFd) => o.Vhost ?? (hasVhostFd || o.Vhostforce == true);

        /// <summary>O34 steps 2 and 4 for one queue.</summary>
        private (ModelQueue? Queue, string? Error) SetupQueue(
            int index, string model, bool vnet, string info, string? ifname, int? fd, int? vhostFd, int? tunFlags)
        {
            var sndbuf = o.Sndbuf is null or 0 ? IntMax : (int)Math.Min(o.Sndbuf.Value, (ulong)IntMax);
            if (o.Sndbuf is not null && env.SndbufError is { } sndErr)
            {
                return (null, $"TUNSETSNDBUF ioctl failed: {sndErr.Text()}");
            }

            var vhost = VhostWanted(vhostFd is not null);
            if (vhost)
            {
                if (vhostFd is { } vfd)
                {
                    if (env.Fds[vfd] != FdKind.VhostNet || InitFails(index))
                    {
                        return (null, VhostInitFailed);
                    }
                }
                else
                {
                    if (env.VhostNetOpenError is { } vErr)
                    {
                        return (null, $"tap: open vhost char device failed: {vErr.Text()}");
                    }

                    if (InitFails(index))
                    {
                        return (null, VhostInitFailed);
                    }
                }
            }

            return (new ModelQueue
            {
                Model = model,
                VnetHdr = vnet,
                Info = Truncate255(info),
                Ifname = ifname,
                Fd = fd,
                Sndbuf = sndbuf,
                Vhost = vhost,
                PollUs = vhost ? o.PollUs ?? 0 : 0,
                VhostFd = vhost ? vhostFd : null,
                TunFlags = tunFlags,
            }, null);
        }

        private static int? FirstOrNull(ImmutableArray<int> fds) => fds.Length > 0 ? fds[0] : null;

        private bool InitFails(int index) => env.VhostInitFailsAtQueue is { } k && index >= k;
    }
}
