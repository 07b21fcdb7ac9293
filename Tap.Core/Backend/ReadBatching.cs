namespace Tap.Core.Backend;

/// <summary>How many frames one readable callback reads from the tap.</summary>
public enum ReadBatching
{
    /// <summary>
    /// QEMU (R20, R22): read until the kernel says EAGAIN, at most 50. Every callback ends in one read that finds
    /// the queue empty, so a frame that arrives alone costs epoll_wait, two reads and a write.
    /// </summary>
    UntilEmpty,

    /// <summary>
    /// Read as many frames as the last callback found, without asking again once they are read: the
    /// level-triggered loop brings the callback back at once if more are waiting. A frame that arrives alone then
    /// costs epoll_wait, one read and a write. The number grows (to 50 at most) while callbacks keep using all of
    /// it, and falls to what a callback found when the queue runs dry. Same frames, same order, same 50-frame
    /// fairness bound; only the empty reads go.
    /// </summary>
    Predicted,
}
