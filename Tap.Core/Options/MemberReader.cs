namespace Tap.Core.Options;

/// <summary>
/// Reads one member in one syntax (key=value or JSON): returns the error message, or null and the value, which is
/// null when the key is absent and otherwise of the CLR type the member's <see cref="OptionKind"/> names.
/// </summary>
internal delegate string? MemberReader(NetdevMember member, out object? value);
