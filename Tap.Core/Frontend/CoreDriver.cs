using System.Text;
using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;
using Tap.Core.Trace;

namespace Tap.Core.Frontend;

/// <summary>
/// What a front end does to the core, one operation a method: create a netdev, run the exit notifiers, attach a
/// capture, plan hub offloads, control a queue, stop, delete everything. With a trace each operation is an event
/// (docs/trace-format.md §5) and its outcome a note, so a replay can do the same things in the same order.
/// </summary>
public sealed class CoreDriver(NetStack stack, IOsNet os, NetdevEnvironment env, ITraceEvents? trace = null)
{
    public NetStack Stack => stack;

    /// <summary>Creates the netdev the command line gave as argument <paramref name="index"/>.</summary>
    public NetdevInitResult CreateNetdev(int index, NetdevOptions options)
    {
        trace?.Event(Invariant($"netdev {index}"));
        var result = NetdevFactory.Create(stack, os, env, options);
        trace?.Note(result.Ok ? Invariant($"netdev {index} ok {result.Created.Count}") : new StringBuilder(Invariant($"netdev {index} error")).SpStr(result.Error!).ToString());
        return result;
    }

    /// <summary>The process exits with netdevs still there (R41).</summary>
    public void RunExitNotifiers()
    {
        trace?.Event("exit-notifiers");
        stack.RunExitNotifiers();
    }

    /// <summary>Hands <paramref name="client"/>'s packets to <paramref name="observer"/> (a capture).</summary>
    public void Capture(NetClient client, IPacketObserver observer)
    {
        trace?.Event(new StringBuilder("capture ").Client(client).ToString());
        client.Observer = observer;
    }

    /// <summary>GSO end to end on hubs whose ports are all vnet taps (docs/differences.md#gso-hubs).</summary>
    public void PlanOffloads()
    {
        trace?.Event("plan-offloads");
        HubOffloadPlanner.Apply(stack);
    }

    /// <summary>
    /// One control operation on a tap queue; its result as the operation returns it (0 for those without).
    /// </summary>
    public int Control(TapBackend queue, QueueControl op, long argument = 0)
    {
        trace?.Event(new StringBuilder("control ").Client(queue).Append(' ').Append(Word(op)).SpInt(argument).ToString());
        int result = op switch
        {
            QueueControl.Enable => queue.Enable(),
            QueueControl.Disable => queue.Disable(),
            QueueControl.PollOn => Done(() => queue.Poll(true)),
            QueueControl.PollOff => Done(() => queue.Poll(false)),
            QueueControl.VnetHdrLen => queue.SetVnetHdrLen((int)argument) ? 0 : -1,
            QueueControl.VnetLe => queue.SetVnetLe(argument != 0),
            QueueControl.VnetBe => queue.SetVnetBe(argument != 0),
            QueueControl.VhostStart => queue.VhostStart(),
            QueueControl.VhostStop => queue.VhostStop(),
            _ => Done(() => queue.SetOffload((TunOffload)(uint)argument)),
        };
        trace?.Note(new StringBuilder("control ").Client(queue).Append(" = ").Append(result).ToString());
        return result;
    }

    /// <summary>The main loop stopped: by <paramref name="signal"/>, or on request (0).</summary>
    public void Stopped(int signal) => trace?.Event(signal == 0 ? "stop" : Invariant($"signal {signal}"));

    /// <summary>Orderly shutdown: every netdev deleted, down scripts run once.</summary>
    public void DeleteAll()
    {
        trace?.Event("delete-all");
        stack.DeleteAll();
    }

    /// <summary>The word an operation is written as.</summary>
    public static string Word(QueueControl op) => op switch
    {
        QueueControl.Enable => "enable",
        QueueControl.Disable => "disable",
        QueueControl.PollOn => "poll-on",
        QueueControl.PollOff => "poll-off",
        QueueControl.VnetHdrLen => "vnet-hdr-len",
        QueueControl.VnetLe => "vnet-le",
        QueueControl.VnetBe => "vnet-be",
        QueueControl.VhostStart => "vhost-start",
        QueueControl.VhostStop => "vhost-stop",
        _ => "offload",
    };

    /// <summary>The operation written as <paramref name="word"/>, or null.</summary>
    public static QueueControl? FromWord(string word)
    {
        foreach (var op in Enum.GetValues<QueueControl>())
        {
            if (Word(op) == word)
            {
                return op;
            }
        }
        return null;
    }

    private static int Done(Action a)
    {
        a();
        return 0;
    }

    private static string Invariant(FormattableString s) => FormattableString.Invariant(s);
}
