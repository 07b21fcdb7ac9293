namespace Tap.Core.Options;

/// <summary>The backend types this build implements, in the order <c>-netdev help</c> lists them (O9).</summary>
public static class NetdevTypes
{
    /// <summary>tap, bridge, hubport; QEMU's other types are refused like unknown ones.</summary>
    public static readonly IReadOnlyList<NetdevType> All = new[] { TapTable.Type, BridgeTable.Type, HubPortTable.Type };

    /// <summary>The type called <paramref name="name"/>, or null.</summary>
    public static NetdevType? Find(string name)
    {
        foreach (var t in All)
        {
            if (t.Name == name)
            {
                return t;
            }
        }
        return null;
    }
}
