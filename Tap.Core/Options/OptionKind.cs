namespace Tap.Core.Options;

/// <summary>
/// The value kinds of netdev members (O10 for key=value, O12 for JSON). Each parser reads a kind its own way and
/// hands the setter of <see cref="NetdevMember"/> the CLR type named here.
/// </summary>
public enum OptionKind
{
    /// <summary>Any text (<see cref="string"/>).</summary>
    Str,
    /// <summary>on/off, or JSON true/false (<see cref="bool"/>).</summary>
    Bool,
    /// <summary>QAPI uint32 (<see cref="uint"/>).</summary>
    UInt32,
    /// <summary>QAPI int32 (<see cref="int"/>).</summary>
    Int32,
    /// <summary>QAPI size: a byte count with suffixes in key=value form, a uint64 in JSON
    /// (<see cref="ulong"/>).</summary>
    Size,
}
