using System.Text;
using Tap.Core.Net;
using Tap.Core.Os;

namespace Tap.Trace;

/// <summary>
/// Traces name a client by its netdev name and its ordinal among the clients of that name (the queue index of a
/// multiqueue tap), never by an fd: <c>"t0" 1</c>.
/// </summary>
public static class TraceNames
{
    /// <summary>Appends <c>"NAME" ORDINAL</c> (ordinal -1 for a client no longer in its stack).</summary>
    public static StringBuilder Client(this StringBuilder sb, NetClient client)
    {
        int ordinal = -1, seen = 0;
        foreach (var c in client.Stack.Clients)
        {
            if (c.Name == client.Name)
            {
                if (ReferenceEquals(c, client))
                {
                    ordinal = seen;
                    break;
                }
                seen++;
            }
        }
        return sb.Str(client.Name).SpInt(ordinal);
    }

    /// <summary>The client named <c>"NAME" ORDINAL</c> in <paramref name="stack"/>, or null.</summary>
    public static NetClient? Find(NetStack stack, string name, int ordinal)
    {
        int seen = 0;
        foreach (var c in stack.Clients)
        {
            if (c.Name == name && seen++ == ordinal)
            {
                return c;
            }
        }
        return null;
    }
}
