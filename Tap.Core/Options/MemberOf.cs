namespace Tap.Core.Options;

/// <summary>
/// Builds the <see cref="NetdevMember"/> entries of one options record <typeparamref name="T"/>, pairing each kind
/// with a setter of the matching CLR type, so a table cannot hand a <c>uint</c> to a <c>bool</c> property.
/// </summary>
public static class MemberOf<T>
    where T : NetdevOptions
{
    /// <summary>A string member.</summary>
    public static NetdevMember Str(string name, string metavar, string? text, string? absent, Func<T, string, T> set) =>
        new(name, OptionKind.Str, false, new MemberHelp(metavar, text, absent), (o, v) => set((T)o, (string)v));

    /// <summary>A boolean member, shown as <c>name=on|off</c>.</summary>
    public static NetdevMember Bool(string name, string text, string? absent, Func<T, bool, T> set) =>
        new(name, OptionKind.Bool, false, new MemberHelp("on|off", text, absent), (o, v) => set((T)o, (bool)v));

    /// <summary>A uint32 member, shown as <c>name=N</c>.</summary>
    public static NetdevMember UInt32(string name, string text, string? absent, Func<T, uint, T> set) =>
        new(name, OptionKind.UInt32, false, new MemberHelp("N", text, absent), (o, v) => set((T)o, (uint)v));

    /// <summary>A size member, shown as <c>name=SIZE</c>.</summary>
    public static NetdevMember Size(string name, string text, string? absent, Func<T, ulong, T> set) =>
        new(name, OptionKind.Size, false, new MemberHelp("SIZE", text, absent), (o, v) => set((T)o, (ulong)v));

    /// <summary>An int32 member, shown as <c>name=N</c>; <paramref name="required"/>: absence is an error.</summary>
    public static NetdevMember Int32(string name, string? text, string? absent, Func<T, int, T> set,
        bool required = false) =>
        new(name, OptionKind.Int32, required, new MemberHelp("N", text, absent), (o, v) => set((T)o, (int)v));
}
