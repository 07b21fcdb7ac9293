using Tap.Core.Options.Json;

namespace Tap.Core.Options;

/// <summary>
/// Reads one QAPI struct of a <c>-netdev stream|dgram</c> tree the way QEMU's qobject-input-visitor does, in
/// either of its two modes (ST3): keyval, where every scalar is a string parsed by its member type, and JSON, where
/// the JSON type must match. Members are read in schema order; the first error is kept and every later read is a
/// no-op; <see cref="End"/> reports a member nobody read as unexpected.
/// </summary>
internal sealed class QapiReader
{
    private readonly Dictionary<string, QValue> _members = new(StringComparer.Ordinal);
    private readonly List<string> _order = new();
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);
    private readonly string _prefix;
    private readonly bool _keyval;
    private readonly ErrorBox _error;

    private QapiReader(QDict dict, string prefix, bool keyval, ErrorBox error)
    {
        foreach (var (k, v) in dict.Members)
        {
            _members[k] = v;
            _order.Add(k);
        }
        _prefix = prefix;
        _keyval = keyval;
        _error = error;
    }

    /// <summary>The reader of the top-level object.</summary>
    public static QapiReader Root(QDict dict, bool keyval) => new(dict, "", keyval, new ErrorBox());

    /// <summary>The first error, or null.</summary>
    public string? Error => _error.Message;

    /// <summary>A nested struct member; null when absent (an error when <paramref name="required"/>).</summary>
    public QapiReader? Struct(string name, bool required)
    {
        if (Take(name, required) is not { } v)
        {
            return null;
        }
        if (v is not QDict d)
        {
            return Fail<QapiReader>($"Invalid parameter type for '{Full(name)}', expected: object");
        }
        return new QapiReader(d, Full(name) + ".", _keyval, _error);
    }

    /// <summary>A string member.</summary>
    public string? Str(string name, bool required)
    {
        if (Take(name, required) is not { } v)
        {
            return null;
        }
        return v is QString s ? s.Value : Fail<string>(_keyval
            ? NestedWhereScalar(name)
            : $"Invalid parameter type for '{Full(name)}', expected: string");
    }

    /// <summary>
    /// qobject_input_get_keyval's words for an object where a scalar belongs (keyval makes only strings and
    /// objects): <c>addr.path.x=1</c> is <c>Parameters 'addr.path.*' are unexpected</c> (QEMU 7.2's output).
    /// </summary>
    private string NestedWhereScalar(string name) => $"Parameters '{Full(name)}.*' are unexpected";

    /// <summary>An enum member: a string from <paramref name="values"/>.</summary>
    public string? Enum(string name, bool required, params string[] values)
    {
        var text = Str(name, required);
        if (text is null || Array.IndexOf(values, text) >= 0)
        {
            return text;
        }
        // QEMU's enum visitor names the member alone, not its path.
        return Fail<string>($"Parameter '{name}' does not accept value '{text}'");
    }

    /// <summary>A bool member.</summary>
    public bool? Bool(string name)
    {
        if (Take(name, false) is not { } v)
        {
            return null;
        }
        if (_keyval)
        {
            if (v is QString s && OptionValues.TryBool(Full(name), s.Value, out bool b, out _))
            {
                return b;
            }
            return FailValue<bool>(v is QString
                ? $"Parameter '{Full(name)}' expects 'on' or 'off'"
                : NestedWhereScalar(name));
        }
        else if (v is QBool qb)
        {
            return qb.Value;
        }
        return FailValue<bool>($"Invalid parameter type for '{Full(name)}', expected: boolean");
    }

    /// <summary>An unsigned member of at most <paramref name="max"/>, whose C type QEMU names
    /// <paramref name="cType"/> (<c>uint32_t</c>, <c>uint16_t</c>).</summary>
    public ulong? UInt(string name, ulong max, string cType)
    {
        if (Take(name, false) is not { } v)
        {
            return null;
        }
        ulong u;
        if (_keyval && v is QString s)
        {
            if (!OptionValues.TryStrToULong(s.Value, 0, out u, out int end, out bool overflow)
                || overflow || end != s.Value.Length)
            {
                return FailValue<ulong>($"Parameter '{Full(name)}' expects integer");
            }
        }
        else if (!_keyval && v is QNumber { Kind: not QNumberKind.Double } n)
        {
            u = n.Kind == QNumberKind.Int64 ? unchecked((ulong)n.Int64) : n.UInt64;
        }
        else
        {
            // keyval: a nested object where a scalar belongs; JSON: anything but an integer.
            return FailValue<ulong>(_keyval ? NestedWhereScalar(name) : $"Parameter '{Full(name)}' expects uint64");
        }
        if (u > max)
        {
            // visit_type_uintN names the member alone.
            return FailValue<ulong>($"Parameter '{name}' expects {cType}");
        }
        return u;
    }

    /// <summary>QEMU's check_struct: the first member nobody read is unexpected.</summary>
    public void End()
    {
        if (_error.Message is not null)
        {
            return;
        }
        foreach (var k in _order)
        {
            if (!_read.Contains(k))
            {
                _error.Message = $"Parameter '{Full(k)}' is unexpected";
                return;
            }
        }
    }

    private QValue? Take(string name, bool required)
    {
        if (_error.Message is not null)
        {
            return null;
        }
        if (!_members.TryGetValue(name, out var v))
        {
            if (required)
            {
                _error.Message = $"Parameter '{Full(name)}' is missing";
            }
            return null;
        }
        _read.Add(name);
        return v;
    }

    private string Full(string name) => _prefix + name;

    private T? Fail<T>(string message) where T : class
    {
        _error.Message ??= message;
        return null;
    }

    private T? FailValue<T>(string message) where T : struct
    {
        _error.Message ??= message;
        return null;
    }

    private sealed class ErrorBox
    {
        public string? Message { get; set; }
    }
}
