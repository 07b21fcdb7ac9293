namespace Tap.Core.Options;

/// <summary>
/// One member of a netdev type, as QEMU's schema declares it (O8): its key, its value kind, whether it must be
/// given, where a parsed value goes in the typed options, and how <c>tapnet --help</c> shows it. The key=value
/// parser, the JSON parser and the help text all read this one entry. Built through <see cref="MemberOf{T}"/>.
/// </summary>
public sealed class NetdevMember
{
    private readonly Func<NetdevOptions, object, NetdevOptions> _set;

    internal NetdevMember(string name, OptionKind kind, bool required, MemberHelp help,
        Func<NetdevOptions, object, NetdevOptions> set)
    {
        Name = name;
        Kind = kind;
        Required = required;
        Help = help;
        _set = set;
    }

    /// <summary>The key, exact and case-sensitive (O8).</summary>
    public string Name { get; }

    /// <summary>How the value is read and which CLR type the setter takes.</summary>
    public OptionKind Kind { get; }

    /// <summary>Absence is an error, <c>Parameter '&lt;name&gt;' is missing</c>, at the member's turn (O8).</summary>
    public bool Required { get; }

    /// <summary>What <c>--help</c> says; <see cref="MemberHelp.Absent"/> is what leaving the key out
    /// means.</summary>
    public MemberHelp Help { get; }

    /// <summary>Puts <paramref name="value"/>, of the CLR type <see cref="Kind"/> names, into
    /// <paramref name="options"/>.</summary>
    public NetdevOptions Set(NetdevOptions options, object value) => _set(options, value);
}
