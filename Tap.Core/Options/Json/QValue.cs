namespace Tap.Core.Options.Json;

/// <summary>
/// A value of QEMU's JSON dialect, as its parser builds it (QString, QNum, QBool, QNull, QList, QDict): only what
/// the <c>-netdev</c> visitor needs to tell members and their types apart.
/// </summary>
public abstract record QValue;

/// <summary>A string (double- or single-quoted in the input).</summary>
public sealed record QString(string Value) : QValue;

/// <summary>
/// A number as QEMU keeps it: a signed 64-bit integer if the literal is an integer that fits, else an unsigned
/// 64-bit integer if it fits, else a double (every literal with a fraction or exponent is a double).
/// </summary>
public sealed record QNumber(QNumberKind Kind, long Int64, ulong UInt64) : QValue;

/// <summary>Which representation a <see cref="QNumber"/> has.</summary>
public enum QNumberKind
{
    /// <summary>Fits <see cref="long"/>: <see cref="QNumber.Int64"/>.</summary>
    Int64,
    /// <summary>
    /// Non-negative, above <see cref="long.MaxValue"/>, fits <see cref="ulong"/>: <see cref="QNumber.UInt64"/>.
    /// </summary>
    UInt64,
    /// <summary>Anything else: no integer visitor accepts it.</summary>
    Double,
}

/// <summary><c>true</c> or <c>false</c>.</summary>
public sealed record QBool(bool Value) : QValue;

/// <summary><c>null</c>.</summary>
public sealed record QNull : QValue;

/// <summary>An array.</summary>
public sealed record QList(IReadOnlyList<QValue> Items) : QValue;

/// <summary>An object: members in input order, keys unique (a duplicate is a parse error).</summary>
public sealed record QDict(IReadOnlyList<KeyValuePair<string, QValue>> Members) : QValue;
