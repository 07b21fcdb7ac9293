namespace Tap.Core.Options;

/// <summary>
/// The option table of one netdev type: its name, a one-line summary for <c>--help</c>, and its members in QEMU's
/// declaration order, which is the order both parsers check them in (O8).
/// </summary>
public sealed class NetdevType
{
    private readonly Func<string, NetdevOptions> _create;

    /// <summary>A type whose options record <paramref name="create"/> makes from the id.</summary>
    public NetdevType(string name, string summary, Func<string, NetdevOptions> create,
        IReadOnlyList<NetdevMember> members)
    {
        Name = name;
        Summary = summary;
        _create = create;
        Members = members;
    }

    /// <summary>The value of <c>type=</c>.</summary>
    public string Name { get; }

    /// <summary>What <c>--help</c> says the type makes.</summary>
    public string Summary { get; }

    /// <summary>The members in declaration order.</summary>
    public IReadOnlyList<NetdevMember> Members { get; }

    /// <summary>Whether <paramref name="key"/> is a member; anything else is an unknown key, reported last
    /// (O8).</summary>
    public bool HasMember(string key)
    {
        foreach (var m in Members)
        {
            if (m.Name == key)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// O8: reads every member in declaration order through <paramref name="read"/> into a fresh options record;
    /// the first bad value, or a required member found absent, is the only error (and then no options).
    /// </summary>
    internal NetdevOptions? Read(string id, MemberReader read, out string? error)
    {
        var options = _create(id);
        foreach (var member in Members)
        {
            error = read(member, out object? value);
            if (error is not null)
            {
                return null;
            }
            if (value is not null)
            {
                options = member.Set(options, value);
            }
            else if (member.Required)
            {
                error = $"Parameter '{member.Name}' is missing";
                return null;
            }
        }
        error = null;
        return options;
    }
}
