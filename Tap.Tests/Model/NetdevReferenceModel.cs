using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Tap.Tests.Model;

/// <summary>
/// Independent reference model of <c>-netdev tap</c> / <c>-netdev bridge</c> creation
/// (netdev-options.md O30-O37 and netdev-options §5, helpers-and-scripts.md §1-2, linux-tun.md §1/§3,
/// vhost-net.md §2), written as a decision procedure from the spec only. Where QEMU
/// leaks, aborts, double-closes, truncates or guesses, the model gives OUR intended
/// behaviour; every such place is listed in <see cref="DeliberateDifferences.All"/>.
///
/// Decision table (first failing row wins; phases in <see cref="FailurePhase"/>). Each row is one method of the
/// nested <c>Run</c>, named in brackets (NetdevReferenceModel.Run.cs; queue setup in NetdevReferenceModel.Queue.cs);
/// each method's summary repeats its row, and its checks come in the row's order:
/// <code>
/// tap [Tap]: hub peer and (queues|fds|vhostfds)      → "Multiqueue tap cannot be used with hubs"
///        fd= given (even empty)                       → branch A [BranchFd]
///        fds= given                                   → branch B [BranchFds]
///        helper= given                                → branch C [BranchHelper]
///        otherwise                                    → branch D [BranchDefault]
/// A: combination → vhostfd without vhost → fd/vhostfd syntax → duplicates → take fds →
///    tap fd non-blocking ("&lt;id&gt;: Can't use file descriptor n: err") → TUNGETIFF probe →
///    vhostfd non-blocking (names the vhost fd) → queue setup (model tap, info fd=n)
/// B: combination → fds count (0 / &gt;256) → vhostfds count mismatch → vhostfds without vhost →
///    syntax of every item → duplicates → take all → every tap fd non-blocking + probe (item 0: probe
///    message; items ≥1: "vnet_hdr not consistent across given tap fds") → every vhostfd non-blocking →
///    queue setup per item (model tap, info fd=n)
/// C: combination → empty helper → bridge name → vhostfd without vhost → vhostfd syntax → take →
///    vhostfd non-blocking → helper (B-rules, no shell) → probe received fd → queue setup (model bridge,
///    info helper=text)
/// D: vhostfds → queues 1..256 → vhostfd with queues&gt;1 → ifname ≤ 15 bytes → vhostfd without vhost →
///    vhostfd syntax → take → vhostfd non-blocking → open ALL queues (O37) → setup script once →
///    queue setup per queue (model tap; queue 0 info with real scripts, others script=no,downscript=no);
///    a queue-setup failure runs the down script once.
/// queue setup [SetupQueue] (O34/O35/O36): TUNSETSNDBUF (error only if sndbuf= given) → vhost if
///    (vhost ?? (vhostfd for this queue || vhostforce)): vhostfd or open /dev/vhost-net, then init.
/// bridge [Bridge]: empty helper → bridge name → helper → probe → queue (model bridge,
///    info helper=&lt;text|(null)&gt;,br=&lt;br&gt;; no sndbuf, no vhost, no scripts).
/// </code>
/// Any failure: nothing registered; every taken, opened or received fd closed exactly once; created
/// devices gone.
/// Helper fd numbering: the socketpair gets the two lowest free numbers (a, b); the child's end b is
/// passed as <c>--fd=b</c> and, after the parent closes b, the received fd gets number b again.
/// </summary>
public static partial class NetdevReferenceModel
{
    public const string ComboFd =
        "ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, fds=, and vhostfds= are invalid with fd=";
    public const string ComboFds =
        "ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, and vhostfd= are invalid with fds=";
    public const string ComboHelper =
        "ifname=, script=, downscript=, vnet_hdr=, queues=, and vhostfds= are invalid with helper=";
    public const string VhostfdsWithoutFds = "vhostfds= is invalid if fds= wasn't specified";
    public const string HubMultiqueue = "Multiqueue tap cannot be used with hubs";
    public const string FdsVhostfdsMismatch = "The number of fds passed does not match the number of vhostfds passed";
    public const string VnetInconsistent = "vnet_hdr not consistent across given tap fds";
    public const string VhostfdWithoutVhost = "vhostfd(s)= is not valid without vhost";
    public const string VhostInitFailed = "vhost-net requested but could not be initialized";
    public const string HelperFailed = "bridge helper failed";
    public const string VnetUnsupported = "vnet_hdr=1 requested, but no kernel support for IFF_VNET_HDR available";
    public const string MultiqueueUnsupported = "multiqueue required, but no kernel support for IFF_MULTI_QUEUE available";
    public const int MaxQueues = 256;
    public const int IntMax = int.MaxValue;

    public static ModelOutcome Evaluate(IReadOnlyList<KeyValuePair<string, string>> items, ModelEnv env) =>
        Evaluate(ModelOptions.FromItems(items), env);

    public static ModelOutcome Evaluate(ModelOptions options, ModelEnv env)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(env);
        var run = new Run(options, env);
        return options.Kind == NetdevKind.Bridge ? run.Bridge() : run.Tap();
    }

    /// <summary>O32 splitting (without the 1024 cap: counts are validated by the caller).</summary>
    public static ImmutableArray<string> SplitFds(string text)
    {
        var items = ImmutableArray.CreateBuilder<string>();
        var pos = 0;
        while (pos < text.Length)
        {
            var colon = text.IndexOf(':', pos);
            if (colon < 0)
            {
                items.Add(text[pos..]);
                break;
            }

            items.Add(text[pos..colon]);
            pos = colon + 1;
        }

        return items.ToImmutable();
    }

    /// <summary>O33 numeric form: C strtol base 10, whole text, 0..INT_MAX.</summary>
    public static bool TryParseFdNumber(string text, out int fd)
    {
        fd = -1;
        var i = 0;
        while (i < text.Length && IsCSpace(text[i]))
        {
            i++;
        }

        var negative = false;
        if (i < text.Length && (text[i] == '+' || text[i] == '-'))
        {
            negative = text[i] == '-';
            i++;
        }

        var start = i;
        long value = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            value = Math.Min(value * 10 + (text[i] - '0'), (long)int.MaxValue + 1);
            i++;
        }

        if (i == start || i != text.Length)
        {
            return false;
        }

        if (negative)
        {
            value = -value;
        }

        if (value < 0 || value > int.MaxValue)
        {
            return false;
        }

        fd = (int)value;
        return true;
    }

    /// <summary>D-19 rule for bridge names.</summary>
    public static bool IsValidBridgeName(string name) =>
        name.Length > 0
        && Encoding.UTF8.GetByteCount(name) <= 15
        && !name.Any(c => c == '/' || c == ':' || char.IsWhiteSpace(c) || char.IsControl(c));

    /// <summary>Splits a helper text into argv words on spaces and tabs (our replacement for <c>sh -c</c>).</summary>
    public static ImmutableArray<string> HelperWords(string helper) =>
        [.. helper.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)];

    internal static bool IsCSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    /// <summary>QEMU stores info strings in 256 bytes: at most 255 bytes, cut at a character boundary.</summary>
    internal static string Truncate255(string s)
    {
        if (Encoding.UTF8.GetByteCount(s) <= 255)
        {
            return s;
        }

        var sb = new StringBuilder();
        var bytes = 0;
        foreach (var rune in s.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > 255)
            {
                break;
            }

            bytes += rune.Utf8SequenceLength;
            sb.Append(rune.ToString());
        }

        return sb.ToString();
    }

    private readonly record struct FdRef(string Text, bool IsName, int Number);
}
