using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.RateLimit;

namespace Tap.Core.Frontend;

/// <summary>
/// Told of each operation a front end hands the core through <see cref="CoreDriver"/>, before it runs, and of its
/// outcome after: what a trace recorder writes as events and notes (Tap.Trace), so a replay can do the same things
/// in the same order. The core itself never listens.
/// </summary>
public interface IFrontendEvents
{
    /// <summary>The netdev of command-line argument <paramref name="index"/> is about to be created.</summary>
    void CreatingNetdev(int index);

    /// <summary>How creating the netdev of argument <paramref name="index"/> ended.</summary>
    void NetdevCreated(int index, NetdevInitResult result);

    /// <summary>The process exits with netdevs still there (R41).</summary>
    void RunningExitNotifiers();

    /// <summary>A capture is attached to <paramref name="client"/>.</summary>
    void Capturing(NetClient client);

    /// <summary>Hub offloads are about to be planned.</summary>
    void PlanningOffloads();

    /// <summary>A control operation is about to run on <paramref name="queue"/>.</summary>
    void Controlling(TapBackend queue, QueueControl op, long argument);

    /// <summary>What the control operation on <paramref name="queue"/> returned.</summary>
    void Controlled(TapBackend queue, int result);

    /// <summary>The main loop stopped: by <paramref name="signal"/>, or on request (0).</summary>
    void Stopped(int signal);

    /// <summary>Every netdev is about to be deleted.</summary>
    void DeletingAll();

    /// <summary>A rate limit is about to be added (docs/rate-limits.md).</summary>
    void AddingRateLimit(string id, string netdev, RateDirection? direction, RateLimitSettings settings);

    /// <summary>A rate limit is about to be changed while it runs.</summary>
    void SettingRateLimit(string id, RateLimitSettings settings);

    /// <summary>How adding or changing rate limit <paramref name="id"/> ended: null, or its message.</summary>
    void RateLimitDone(string id, string? error);
}
