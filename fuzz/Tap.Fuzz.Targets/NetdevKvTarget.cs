using System.Text;
using Tap.Core.Options;

namespace Tap.Fuzz.Targets;

/// <summary>
/// <c>-netdev</c> in QEMU's key=value syntax: the input, decoded as tapnet decodes its command line (UTF-8, bad
/// bytes replaced), goes through <see cref="NetdevParser.Parse"/>; see <see cref="NetdevResultCheck"/>.
/// </summary>
public sealed class NetdevKvTarget : IFuzzTarget
{
    public string Name => "netdev-kv";

    public string Description => "-netdev key=value text through NetdevParser: a result, never an exception";

    public void Run(ReadOnlySpan<byte> input)
    {
        string text = Encoding.UTF8.GetString(input);
        NetdevResultCheck.Holds(NetdevParser.Parse(text), text);
    }
}
