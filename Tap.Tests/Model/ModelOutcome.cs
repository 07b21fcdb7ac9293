using System.Collections.Immutable;
using System.Text;

namespace Tap.Tests.Model;

public enum ScriptRole
{
    Setup,
    Down,
}

/// <summary>One script execution: role and exact argv (<c>[path, ifname]</c>).</summary>
public sealed record ScriptRun(ScriptRole Role, ImmutableArray<string> Argv)
{
    public bool Equals(ScriptRun? other) => other is not null && Role == other.Role && Argv.SequenceEqual(other.Argv);

    public override int GetHashCode() => HashCode.Combine(Role, Argv.Length > 0 ? Argv[0] : null);

    public override string ToString() => $"{Role}[{string.Join(", ", Argv)}]";
}

/// <summary>Where the model stopped: useful for coverage statistics and diff messages.</summary>
public enum FailurePhase
{
    /// <summary>Option checks: nothing touched, no fd taken.</summary>
    Options,
    /// <summary>Resolving / checking named fds (fd=, fds=, vhostfd=, vhostfds=).</summary>
    NamedFds,
    /// <summary>Running the bridge helper.</summary>
    Helper,
    /// <summary>Probing the fd received from the helper.</summary>
    HelperFd,
    /// <summary>Opening/attaching taps through /dev/net/tun.</summary>
    TapOpen,
    /// <summary>Setup script.</summary>
    Script,
    /// <summary>Per-queue setup (sndbuf, vhost) after the taps exist.</summary>
    QueueSetup,
}

/// <summary>
/// One created queue (one net client). <see cref="Info"/> is exactly the
/// <c>info network</c> text after <c>type=tap,</c> (O34.3 / netdev-options §5 step 6).
/// </summary>
public sealed record ModelQueue
{
    public required string Model { get; init; }
    public required bool VnetHdr { get; init; }
    public required string Info { get; init; }

    /// <summary>Interface name (default branch only; null when QEMU does not know it).</summary>
    public string? Ifname { get; init; }

    /// <summary>The tap fd number when it came from fd=/fds= or the helper; null when opened by the netdev itself.</summary>
    public int? Fd { get; init; }

    /// <summary>Value given to TUNSETSNDBUF (tap model only; null for -netdev bridge, which skips the ioctl).</summary>
    public int? Sndbuf { get; init; }

    public bool Vhost { get; init; }

    /// <summary>Busy-poll timeout given to vhost (only meaningful when <see cref="Vhost"/>).</summary>
    public uint PollUs { get; init; }

    /// <summary>vhost fd number when it came from vhostfd=/vhostfds=; null when /dev/vhost-net was opened or no vhost.</summary>
    public int? VhostFd { get; init; }

    /// <summary>TUNSETIFF flags requested (default branch only): 0x1002 | ONE_QUEUE 0x2000 | VNET_HDR 0x4000 | MULTI_QUEUE 0x0100.</summary>
    public int? TunFlags { get; init; }

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfoInvariant($"{Model} vnet={VnetHdr} info=\"{Info}\""));
        if (Ifname is not null)
        {
            sb.Append(" ifname=").Append(Ifname);
        }

        if (Fd is { } fd)
        {
            sb.Append(" fd=").Append(fd);
        }

        if (Sndbuf is { } s)
        {
            sb.Append(" sndbuf=").Append(s);
        }

        if (Vhost)
        {
            sb.Append(" vhost(poll=").Append(PollUs).Append(VhostFd is { } v ? $",fd={v})" : ",/dev/vhost-net)");
        }

        if (TunFlags is { } f)
        {
            sb.Append(" flags=0x").Append(f.ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    private static string CultureInfoInvariant(FormattableString s) => FormattableString.Invariant(s);
}

/// <summary>
/// Result of one netdev creation. Common effects:
/// <list type="bullet">
/// <item><see cref="ScriptRuns"/>: setup/down scripts run during creation, in order (teardown after success is not included).</item>
/// <item><see cref="HelperArgv"/>: argv the bridge helper was started with (null if none ran).</item>
/// <item><see cref="TakenFds"/>: pre-existing fds (fd=, fds=, vhostfd=, vhostfds=, getfd names) this netdev took
///   ownership of. On <see cref="ModelError"/> every one of them must be closed exactly once afterwards; on
///   <see cref="ModelCreated"/> they stay open, owned by the queues.</item>
/// <item><see cref="HelperFd"/>: number of the fd received from the helper (null if none).</item>
/// </list>
/// Invariant after a <see cref="ModelError"/>: no net client with the id exists, every fd the call opened
/// (/dev/net/tun, /dev/vhost-net, socketpair) or received is closed, every device it created is gone, and all
/// other pre-existing fds are untouched.
/// </summary>
public abstract record ModelOutcome
{
    public ImmutableArray<ScriptRun> ScriptRuns { get; init; } = [];
    public ImmutableArray<string>? HelperArgv { get; init; }
    public ImmutableSortedSet<int> TakenFds { get; init; } = [];
    public int? HelperFd { get; init; }

    /// <summary>Canonical multi-line text for diffing against the implementation.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        switch (this)
        {
            case ModelError e:
                sb.Append("error [").Append(e.Phase).Append("]: ").AppendLine(e.Message);
                break;
            case ModelCreated c:
                sb.Append("created ").Append(c.Queues.Length).AppendLine(" queue(s)");
                foreach (var q in c.Queues)
                {
                    sb.Append("  ").AppendLine(q.ToString());
                }

                if (c.CreatedInterfaces.Length > 0)
                {
                    sb.Append("  new interfaces: ").AppendLine(string.Join(", ", c.CreatedInterfaces));
                }

                if (c.DownScriptOnTeardown is { } d)
                {
                    sb.Append("  down script on teardown: ").AppendLine(d.ToString());
                }

                break;
        }

        foreach (var s in ScriptRuns)
        {
            sb.Append("  ran ").AppendLine(s.ToString());
        }

        if (HelperArgv is { } argv)
        {
            sb.Append("  helper argv: [").Append(string.Join(", ", argv)).AppendLine("]");
        }

        if (HelperFd is { } hfd)
        {
            sb.Append("  helper fd: ").Append(hfd).AppendLine();
        }

        if (TakenFds.Count > 0)
        {
            sb.Append("  taken fds: ").AppendLine(string.Join(", ", TakenFds));
        }

        return sb.ToString();
    }
}

/// <summary>Creation failed with exactly <see cref="Message"/> (the text after <c>&lt;prog&gt;: -netdev ARG: </c>).</summary>
public sealed record ModelError(string Message, FailurePhase Phase) : ModelOutcome;

/// <summary>Creation succeeded.</summary>
public sealed record ModelCreated(ImmutableArray<ModelQueue> Queues) : ModelOutcome
{
    /// <summary>Interfaces that did not exist before and were created by this netdev (default branch).</summary>
    public ImmutableArray<string> CreatedInterfaces { get; init; } = [];

    /// <summary>Down script recorded on queue 0, to be run once at teardown (default branch, downscript not <c>no</c>/empty).</summary>
    public ScriptRun? DownScriptOnTeardown { get; init; }
}
