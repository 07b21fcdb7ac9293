using System.Text;
using Tap.Core.Options;

namespace Tap.Fuzz.Targets;

/// <summary>
/// A <c>-netdev</c> parser: the input, decoded as tapnet decodes its command line (UTF-8, bad bytes replaced), goes
/// through <paramref name="parse"/>, and the result is checked by <see cref="NetdevResultCheck"/>.
/// </summary>
public sealed class NetdevTarget(string name, string description, Func<string, NetdevParseResult> parse) : IFuzzTarget
{
    /// <summary>QEMU's key=value syntax (O4-O11), through <see cref="NetdevParser.Parse"/> as tapnet calls it.</summary>
    public static NetdevTarget KeyValue { get; } =
        new("netdev-kv", "-netdev key=value text through NetdevParser: a result, never an exception", NetdevParser.Parse);

    /// <summary>The JSON form (O12), through <see cref="JsonNetdevParser.Parse"/>.</summary>
    public static NetdevTarget Json { get; } =
        new("netdev-json", "-netdev JSON text through JsonNetdevParser: a result, never an exception", JsonNetdevParser.Parse);

    public string Name => name;

    public string Description => description;

    public void Run(ReadOnlySpan<byte> input)
    {
        string text = Encoding.UTF8.GetString(input);
        NetdevResultCheck.Holds(parse(text), text);
    }
}
