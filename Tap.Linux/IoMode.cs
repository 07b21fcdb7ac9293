namespace Tap.Linux;

/// <summary>How the real-host loop moves frames (<c>--io=</c>).</summary>
public enum IoMode
{
    /// <summary>Readiness through epoll, then one read(2) or writev(2) per frame.</summary>
    Epoll,

    /// <summary>io_uring: reads kept posted on every tap, writes batched, one io_uring_enter per burst.</summary>
    Uring,
}
