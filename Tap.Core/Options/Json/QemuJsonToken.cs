namespace Tap.Core.Options.Json;

/// <summary>A token of QEMU's JSON lexer, with its text as typed (strings with their quotes).</summary>
public readonly record struct QemuJsonToken(QemuJsonTokenKind Kind, string Text);

/// <summary>The token kinds of QEMU's JSON lexer.</summary>
public enum QemuJsonTokenKind
{
    LeftCurly,
    RightCurly,
    LeftSquare,
    RightSquare,
    Comma,
    Colon,
    String,
    /// <summary>A number literal: integer, fraction or exponent.</summary>
    Number,
    Keyword,
    /// <summary>Input the lexer cannot read; <see cref="QemuJsonToken.Text"/> is what it had consumed, the offending
    /// character included.</summary>
    Error,
    EndOfInput,
}
