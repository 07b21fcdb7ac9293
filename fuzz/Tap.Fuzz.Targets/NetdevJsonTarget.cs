using System.Text;
using Tap.Core.Options;

namespace Tap.Fuzz.Targets;

/// <summary>
/// <c>-netdev</c> in JSON (O12): the input, decoded as tapnet decodes its command line, goes through
/// <see cref="JsonNetdevParser.Parse"/>; see <see cref="NetdevResultCheck"/>.
/// </summary>
public sealed class NetdevJsonTarget : IFuzzTarget
{
    public string Name => "netdev-json";

    public string Description => "-netdev JSON text through JsonNetdevParser: a result, never an exception";

    public void Run(ReadOnlySpan<byte> input)
    {
        string text = Encoding.UTF8.GetString(input);
        NetdevResultCheck.Holds(JsonNetdevParser.Parse(text), text);
    }
}
