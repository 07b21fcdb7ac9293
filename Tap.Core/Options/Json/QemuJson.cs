using System.Globalization;
using System.Text;

namespace Tap.Core.Options.Json;

/// <summary>
/// Reads one JSON value as QEMU 7.2 reads a <c>-netdev {...}</c> argument (qobject_from_json: lexer, streamer,
/// parser), with its error messages to the letter: <c>JSON parse error, premature EOI</c>, <c>... stray '01'</c>,
/// <c>... expecting value</c>, <c>... duplicate key</c>, <c>Expecting at most one JSON value</c> and the rest.
/// </summary>
public static class QemuJson
{
    /// <summary>QEMU's MAX_NESTING: open objects and arrays at once. Past it the input is refused, which also bounds
    /// the parser's recursion.</summary>
    public const int NestingMax = 1024;

    /// <summary>The value, or QEMU's message for why there is none.</summary>
    public static (QValue? Value, string? Error) Parse(string input)
    {
        var lexer = new QemuJsonLexer(input);
        var tokens = new List<QemuJsonToken>();
        int braces = 0, brackets = 0;
        while (true)
        {
            var token = lexer.Next();
            switch (token.Kind)
            {
                case QemuJsonTokenKind.Error:
                    return (null, $"JSON parse error, stray '{token.Text}'");
                case QemuJsonTokenKind.EndOfInput:
                    // Only whitespace, or an unfinished value whose parse says what is missing.
                    return tokens.Count == 0 ? (null, "Expecting a JSON value") : Emit(tokens, lexer);
                case QemuJsonTokenKind.LeftCurly:
                    braces++;
                    break;
                case QemuJsonTokenKind.RightCurly:
                    braces--;
                    break;
                case QemuJsonTokenKind.LeftSquare:
                    brackets++;
                    break;
                case QemuJsonTokenKind.RightSquare:
                    brackets--;
                    break;
            }
            if (braces + brackets > NestingMax)
            {
                return (null, "JSON nesting depth limit exceeded");
            }
            tokens.Add(token);
            // The streamer hands the tokens to the parser once the brackets balance, or as soon as one closes too
            // many (the parser then names the mismatch).
            if ((braces > 0 || brackets > 0) && braces >= 0 && brackets >= 0)
            {
                continue;
            }
            return Emit(tokens, lexer);
        }
    }

    private static (QValue? Value, string? Error) Emit(List<QemuJsonToken> tokens, QemuJsonLexer lexer)
    {
        QValue value;
        try
        {
            value = new Parser(tokens).Document();
        }
        catch (ParseError e)
        {
            return (null, e.Message);
        }
        // Whatever follows a complete value makes QEMU's reader see a second one (or an error after it).
        return lexer.AtEnd() ? (value, null) : (null, "Expecting at most one JSON value");
    }

    /// <summary>
    /// The first error of a parse: QEMU keeps the first message and ignores the ones its unwinding adds.
    /// </summary>
    private sealed class ParseError(string message) : Exception("JSON parse error, " + message);

    private sealed class Parser(List<QemuJsonToken> tokens)
    {
        private int _next;

        public QValue Document() => Value();

        private QemuJsonToken? Peek() => _next < tokens.Count ? tokens[_next] : null;

        private QemuJsonToken Pop() => _next < tokens.Count ? tokens[_next++] : throw new ParseError("premature EOI");

        private QValue Value()
        {
            var token = Peek() ?? throw new ParseError("premature EOI");
            switch (token.Kind)
            {
                case QemuJsonTokenKind.LeftCurly:
                    return Object();
                case QemuJsonTokenKind.LeftSquare:
                    return Array();
                case QemuJsonTokenKind.String:
                    _next++;
                    return new QString(Unescape(token.Text));
                case QemuJsonTokenKind.Number:
                    _next++;
                    return Number(token);
                case QemuJsonTokenKind.Keyword:
                    _next++;
                    return token.Text switch
                    {
                        "true" => new QBool(true),
                        "false" => new QBool(false),
                        "null" => new QNull(),
                        _ => throw new ParseError($"invalid keyword '{token.Text}'"),
                    };
                default:
                    throw new ParseError("expecting value");
            }
        }

        private QDict Object()
        {
            Pop();
            var members = new List<KeyValuePair<string, QValue>>();
            var keys = new HashSet<string>(StringComparer.Ordinal);
            if ((Peek() ?? throw new ParseError("premature EOI")).Kind == QemuJsonTokenKind.RightCurly)
            {
                Pop();
                return new QDict(members);
            }
            while (true)
            {
                if (Peek() is null)
                {
                    throw new ParseError("premature EOI");
                }
                if (Value() is not QString key)
                {
                    throw new ParseError("key is not a string in object");
                }
                if (Pop().Kind != QemuJsonTokenKind.Colon)
                {
                    throw new ParseError("missing : in object pair");
                }
                var value = Value();
                if (!keys.Add(key.Value))
                {
                    throw new ParseError("duplicate key");
                }
                members.Add(new(key.Value, value));
                var separator = Pop();
                if (separator.Kind == QemuJsonTokenKind.RightCurly)
                {
                    return new QDict(members);
                }
                if (separator.Kind != QemuJsonTokenKind.Comma)
                {
                    throw new ParseError("expected separator in dict");
                }
            }
        }

        private QList Array()
        {
            Pop();
            var items = new List<QValue>();
            if ((Peek() ?? throw new ParseError("premature EOI")).Kind == QemuJsonTokenKind.RightSquare)
            {
                Pop();
                return new QList(items);
            }
            while (true)
            {
                items.Add(Value());
                var separator = Pop();
                if (separator.Kind == QemuJsonTokenKind.RightSquare)
                {
                    return new QList(items);
                }
                if (separator.Kind != QemuJsonTokenKind.Comma)
                {
                    throw new ParseError("expected separator in list");
                }
            }
        }

        /// <summary>An integer literal that fits int64 is one; a non-negative one that fits uint64 is that; anything
        /// else (a fraction or an exponent, which neither parse accepts, or too large) is a double.</summary>
        private static QNumber Number(QemuJsonToken token)
        {
            if (long.TryParse(token.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long i))
            {
                return new QNumber(QNumberKind.Int64, i, unchecked((ulong)i));
            }
            if (token.Text[0] != '-'
                && ulong.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong u))
            {
                return new QNumber(QNumberKind.UInt64, 0, u);
            }
            return new QNumber(QNumberKind.Double, 0, 0);
        }

        /// <summary>
        /// QEMU's parse_string: the escapes it knows, <c>\u</c> with surrogate pairs, and its messages.
        /// </summary>
        private static string Unescape(string text)
        {
            var s = new StringBuilder(text.Length);
            int end = text.Length - 1; // the closing quote
            int i = 1;
            while (i < end)
            {
                char c = text[i];
                if (c != '\\')
                {
                    // Half a surrogate pair cannot come from UTF-8: QEMU reads such bytes as invalid UTF-8.
                    bool pair = char.IsHighSurrogate(c) && i + 1 < end && char.IsLowSurrogate(text[i + 1]);
                    if (char.IsSurrogate(c) && !pair)
                    {
                        throw new ParseError("invalid UTF-8 sequence in string");
                    }
                    s.Append(text, i, pair ? 2 : 1);
                    i += pair ? 2 : 1;
                    continue;
                }
                int begin = i;
                char e = text[i + 1];
                i += 2;
                switch (e)
                {
                    case '"' or '\'' or '\\' or '/':
                        s.Append(e);
                        break;
                    case 'b':
                        s.Append('\b');
                        break;
                    case 'f':
                        s.Append('\f');
                        break;
                    case 'n':
                        s.Append('\n');
                        break;
                    case 'r':
                        s.Append('\r');
                        break;
                    case 't':
                        s.Append('\t');
                        break;
                    case 'u':
                        int cp = Hex4(text, i, end);
                        i += 4;
                        if (cp is >= 0xD800 and <= 0xDBFF && i + 1 < end && text[i] == '\\' && text[i + 1] == 'u')
                        {
                            int trailing = Hex4(text, i + 2, end);
                            if (trailing is >= 0xDC00 and <= 0xDFFF)
                            {
                                cp = 0x10000 + ((cp & 0x3FF) << 10) + (trailing & 0x3FF);
                                i += 6;
                            }
                            else
                            {
                                cp = -1;
                            }
                        }
                        if (cp < 0 || cp is >= 0xD800 and <= 0xDFFF)
                        {
                            // QEMU prints what it read from the backslash on, up to the end of the string.
                            string escape = text[begin..Math.Min(i, text.Length)];
                            throw new ParseError($"{escape} is not a valid Unicode character");
                        }
                        s.Append(char.ConvertFromUtf32(cp));
                        break;
                    default:
                        throw new ParseError("invalid escape sequence in string");
                }
            }
            return s.ToString();
        }

        /// <summary>Four hex digits at <paramref name="at"/> before <paramref name="end"/>, or -1.</summary>
        private static int Hex4(string text, int at, int end)
        {
            if (at + 4 > end)
            {
                return -1;
            }
            var digits = text.AsSpan(at, 4);
            bool hex = int.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int v);
            return hex ? v : -1;
        }
    }
}
