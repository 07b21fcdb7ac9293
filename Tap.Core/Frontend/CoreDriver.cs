using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;
using Tap.Core.RateLimit;

namespace Tap.Core.Frontend;

/// <summary>
/// What a front end does to the core, one operation a method: create a netdev, run the exit notifiers, attach a
/// capture, plan hub offloads, control a queue, stop, delete everything. Each is told to <see cref="IFrontendEvents"/>
/// when one listens: with a trace each operation is an event (docs/trace-format.md §5) and its outcome a note, so a
/// replay can do the same things in the same order.
/// </summary>
public sealed class CoreDriver(NetStack stack, IOsNet os, NetdevEnvironment env, IFrontendEvents? events = null)
{
    public NetStack Stack => stack;

    /// <summary>Creates the netdev the command line gave as argument <paramref name="index"/>.</summary>
    public NetdevInitResult CreateNetdev(int index, NetdevOptions options)
    {
        events?.CreatingNetdev(index);
        var result = NetdevFactory.Create(stack, os, env, options);
        events?.NetdevCreated(index, result);
        return result;
    }

    /// <summary>The process exits with netdevs still there (R41).</summary>
    public void RunExitNotifiers()
    {
        events?.RunningExitNotifiers();
        stack.RunExitNotifiers();
    }

    /// <summary>Hands <paramref name="client"/>'s packets to <paramref name="observer"/> (a capture).</summary>
    public void Capture(NetClient client, IPacketObserver observer)
    {
        events?.Capturing(client);
        client.Observer = observer;
    }

    /// <summary>GSO end to end on hubs whose ports are all vnet taps (docs/differences.md#gso-hubs).</summary>
    public void PlanOffloads()
    {
        events?.PlanningOffloads();
        HubOffloadPlanner.Apply(stack);
    }

    /// <summary>
    /// One control operation on a tap queue; its result as the operation returns it (0 for those without).
    /// </summary>
    public int Control(TapBackend queue, QueueControl op, long argument = 0)
    {
        events?.Controlling(queue, op, argument);
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
        events?.Controlled(queue, result);
        return result;
    }

    /// <summary>The rate limiters (docs/rate-limits.md), made on first use.</summary>
    public RateLimits RateLimits => _rateLimits ??= new RateLimits(stack, os);

    private RateLimits? _rateLimits;

    /// <summary>
    /// Adds a <c>filter-ratelimit</c> on <paramref name="direction"/> (null: both) of <paramref name="netdev"/>;
    /// null, or the message when it cannot be added.
    /// </summary>
    public string? AddRateLimit(string id, string netdev, RateDirection? direction, RateLimitSettings settings)
    {
        events?.AddingRateLimit(id, netdev, direction, settings);
        string? error = RateLimits.Add(id, netdev, direction, settings);
        events?.RateLimitDone(id, error);
        return error;
    }

    /// <summary>Changes limiter <paramref name="id"/> while it runs; null, or the message when there is none.</summary>
    public string? SetRateLimit(string id, RateLimitSettings settings)
    {
        events?.SettingRateLimit(id, settings);
        string? error = RateLimits.Update(id, settings);
        events?.RateLimitDone(id, error);
        return error;
    }

    /// <summary>The main loop stopped: by <paramref name="signal"/>, or on request (0).</summary>
    public void Stopped(int signal) => events?.Stopped(signal);

    /// <summary>Orderly shutdown: every netdev deleted, down scripts run once.</summary>
    public void DeleteAll()
    {
        events?.DeletingAll();
        stack.DeleteAll();
        _rateLimits?.Close();
    }

    private static int Done(Action a)
    {
        a();
        return 0;
    }
}
