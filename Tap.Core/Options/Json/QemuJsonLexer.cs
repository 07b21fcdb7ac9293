namespace Tap.Core.Options.Json;

/// <summary>
/// QEMU's JSON lexer (json-lexer.c) as a pull lexer: the same token boundaries and, for input it cannot read, the
/// same error text, which QEMU prints as <c>JSON parse error, stray '...'</c>. Its dialect accepts single-quoted
/// strings and treats every run of lower-case letters as a keyword (the parser then names a wrong one).
/// </summary>
public sealed class QemuJsonLexer(string input)
{
    private int _pos;

    /// <summary>Where the next token starts (after the whitespace it skipped).</summary>
    public int Position => _pos;

    /// <summary>The next token; <see cref="QemuJsonTokenKind.EndOfInput"/> at the end.</summary>
    public QemuJsonToken Next()
    {
        while (_pos < input.Length && input[_pos] is ' ' or '\t' or '\r' or '\n')
        {
            _pos++;
        }
        if (_pos == input.Length)
        {
            return new(QemuJsonTokenKind.EndOfInput, "");
        }
        int start = _pos;
        char c = input[_pos++];
        return c switch
        {
            '{' => new(QemuJsonTokenKind.LeftCurly, "{"),
            '}' => new(QemuJsonTokenKind.RightCurly, "}"),
            '[' => new(QemuJsonTokenKind.LeftSquare, "["),
            ']' => new(QemuJsonTokenKind.RightSquare, "]"),
            ',' => new(QemuJsonTokenKind.Comma, ","),
            ':' => new(QemuJsonTokenKind.Colon, ":"),
            '"' or '\'' => String(start, c),
            '-' or (>= '0' and <= '9') => Number(start, c),
            >= 'a' and <= 'z' => Keyword(start),
            _ => Error(start),
        };
    }

    /// <summary>True when only whitespace is left.</summary>
    public bool AtEnd()
    {
        var rest = input.AsSpan(_pos);
        return rest.TrimStart(" \t\r\n").IsEmpty;
    }

    private QemuJsonToken String(int start, char quote)
    {
        while (_pos < input.Length)
        {
            char c = input[_pos++];
            if (c == quote)
            {
                return new(QemuJsonTokenKind.String, input[start.._pos]);
            }
            if (c < 0x20)
            {
                return Error(start);
            }
            if (c == '\\')
            {
                // Any printable character may follow a backslash here; the parser judges the escape.
                if (_pos == input.Length)
                {
                    break;
                }
                if (input[_pos++] < 0x20)
                {
                    return Error(start);
                }
            }
        }
        // The end of input inside a string: an error with what was read.
        return Error(start);
    }

    private QemuJsonToken Number(int start, char first)
    {
        if (first == '-')
        {
            if (!TakeDigit(out char d))
            {
                return Error(start);
            }
            first = d;
        }
        if (first == '0')
        {
            // A digit after a leading zero is an error that swallows that digit ("stray '01'").
            if (_pos < input.Length && IsDigit(input[_pos]))
            {
                _pos++;
                return Error(start);
            }
        }
        else
        {
            SkipDigits();
        }
        if (_pos < input.Length && input[_pos] == '.')
        {
            _pos++;
            if (!TakeDigit(out _))
            {
                return Error(start);
            }
            SkipDigits();
        }
        if (_pos < input.Length && input[_pos] is 'e' or 'E')
        {
            _pos++;
            if (_pos < input.Length && input[_pos] is '+' or '-')
            {
                _pos++;
            }
            if (!TakeDigit(out _))
            {
                return Error(start);
            }
            SkipDigits();
        }
        // Whether it is an integer (QEMU's int64 or uint64) or a double is decided from the text (QNumber).
        return new(QemuJsonTokenKind.Number, input[start.._pos]);
    }

    private QemuJsonToken Keyword(int start)
    {
        while (_pos < input.Length && input[_pos] is >= 'a' and <= 'z')
        {
            _pos++;
        }
        return new(QemuJsonTokenKind.Keyword, input[start.._pos]);
    }

    /// <summary>Consumes the next character, true when it is a digit; one that is not is consumed too (QEMU's error
    /// text includes it), and at the end of input nothing is.</summary>
    private bool TakeDigit(out char c)
    {
        if (_pos == input.Length)
        {
            c = '\0';
            return false;
        }
        c = input[_pos++];
        return IsDigit(c);
    }

    private void SkipDigits()
    {
        while (_pos < input.Length && IsDigit(input[_pos]))
        {
            _pos++;
        }
    }

    private QemuJsonToken Error(int start) => new(QemuJsonTokenKind.Error, input[start.._pos]);

    private static bool IsDigit(char c) => c is >= '0' and <= '9';
}
