using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;

namespace Tap.Core.Socket;

/// <summary><c>net_init_stream</c>: the option checks with QEMU's messages, then the client (ST9, ST10,
/// ST12).</summary>
public static class StreamInit
{
    /// <summary>Creates the netdev; only option conflicts fail here, as in QEMU.</summary>
    public static NetdevInitResult Run(NetStack stack, IOsNet os, StreamOptions options)
    {
        uint reconnectMs = 0;
        if (options.Server != true)
        {
            if (options.Reconnect is not null && options.ReconnectMs is not null)
            {
                return NetdevInitResult.Fail("'reconnect' and 'reconnect-ms' are mutually exclusive");
            }
            // QEMU multiplies in 32 bits: a huge reconnect wraps like it does there.
            reconnectMs = options.ReconnectMs ?? unchecked((options.Reconnect ?? 0) * 1000u);
        }
        else if (options.Reconnect is not null || options.ReconnectMs is not null)
        {
            return NetdevInitResult.Fail(
                "'reconnect' and 'reconnect-ms' options are incompatible with socket in server mode");
        }
        var client = StreamBackend.Start(stack, null, options.Id, os, options, reconnectMs);
        return NetdevInitResult.Success(new NetClient[] { client });
    }
}
