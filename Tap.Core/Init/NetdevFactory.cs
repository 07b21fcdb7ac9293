using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;

namespace Tap.Core.Init;

/// <summary>Creates a parsed netdev in a <see cref="NetStack"/>, dispatching on its type.</summary>
public static class NetdevFactory
{
    /// <summary>Creates <paramref name="options"/>; an id already used by a live client is refused (O6).</summary>
    public static NetdevInitResult Create(NetStack stack, IOsNet os, NetdevEnvironment env, NetdevOptions options)
    {
        if (stack.Find(options.Id) is not null)
        {
            return NetdevInitResult.Fail($"Duplicate ID '{options.Id}'");
        }
        return options switch
        {
            TapOptions tap => TapInit.Run(stack, os, env, tap),
            BridgeOptions bridge => BridgeInit.Run(stack, os, env, bridge),
            HubPortOptions hub => HubPortInit.Run(stack, hub),
            StreamOptions stream => Socket.StreamInit.Run(stack, os, stream),
            DgramOptions dgram => Socket.DgramInit.Run(stack, os, dgram),
            _ => throw new ArgumentException($"no backend for netdev type '{options.Type}'", nameof(options)),
        };
    }
}
