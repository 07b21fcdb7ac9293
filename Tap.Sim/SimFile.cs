namespace Tap.Sim;

/// <summary>What an open simulated fd refers to.</summary>
public abstract record SimFile
{
    /// <summary>stdin, stdout, stderr, /dev/null, a socket...: not a tun device (ENOTTY).</summary>
    public sealed record Other(string Description) : SimFile;

    /// <summary>An fd of /dev/net/tun, bound to a queue after TUNSETIFF.</summary>
    public sealed record Tun : SimFile
    {
        public SimTunQueue? Queue { get; set; }
    }

    /// <summary>An fd of /dev/vhost-net.</summary>
    public sealed record Vhost : SimFile
    {
        /// <summary>The vhost-net instance behind the fd.</summary>
        public SimVhostDevice Device { get; } = new();
    }

    /// <summary>A socket.</summary>
    public sealed record Socket(SimSocket Sock) : SimFile;

    /// <summary>A timerfd on the simulated monotonic clock: one expiry at <see cref="DueNs"/> (0: disarmed).</summary>
    public sealed record Timer : SimFile
    {
        public long DueNs { get; set; }

        /// <summary>Expired and not yet read.</summary>
        public bool Expired { get; set; }
    }
}
