using System.Text;
using Tap.Core.Backend;
using Tap.Core.Frontend;
using Tap.Core.Init;
using Tap.Core.Net;

namespace Tap.Trace;

/// <summary>
/// The front end's operations as trace events and their outcomes as notes (docs/trace-format.md §5): the one
/// spelling the recorder writes and the replayer compares.
/// </summary>
public sealed class TraceFrontendEvents(ITraceEvents trace) : IFrontendEvents
{
    public void CreatingNetdev(int index) => trace.Event(Invariant($"netdev {index}"));

    public void NetdevCreated(int index, NetdevInitResult result) =>
        trace.Note(result.Ok
            ? Invariant($"netdev {index} ok {result.Created.Count}")
            : new StringBuilder(Invariant($"netdev {index} error")).SpStr(result.Error!).ToString());

    public void RunningExitNotifiers() => trace.Event("exit-notifiers");

    public void Capturing(NetClient client) => trace.Event(new StringBuilder("capture ").Client(client).ToString());

    public void PlanningOffloads() => trace.Event("plan-offloads");

    public void Controlling(TapBackend queue, QueueControl op, long argument) =>
        trace.Event(
            new StringBuilder("control ").Client(queue).Append(' ').Append(Word(op)).SpInt(argument).ToString());

    public void Controlled(TapBackend queue, int result) =>
        trace.Note(new StringBuilder("control ").Client(queue).Append(" = ").Append(result).ToString());

    public void Stopped(int signal) => trace.Event(signal == 0 ? "stop" : Invariant($"signal {signal}"));

    public void DeletingAll() => trace.Event("delete-all");

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

    private static string Invariant(FormattableString s) => FormattableString.Invariant(s);
}
