using Tap.Core.Abi;

namespace Tap.Core.Os;

/// <summary>What came back over the helper's socket (B6), told apart explicitly (D-8).</summary>
public enum HelperReceive
{
    /// <summary>One message with exactly one SCM_RIGHTS fd: <see cref="HelperOutcome.ReceivedFd"/>.</summary>
    Fd,
    /// <summary>End of stream: the helper closed its end without sending anything.</summary>
    Eof,
    /// <summary>Data arrived without a usable SCM_RIGHTS fd (any extra fds were closed by the OS layer).</summary>
    NoFd,
    /// <summary>The receive failed with <see cref="HelperOutcome.Error"/>.</summary>
    Error,
    /// <summary>
    /// Nothing was received because the socket pair could not be made (<see cref="HelperOutcome.Error"/>).
    /// </summary>
    SocketPairFailed,
}

/// <summary>The whole run of a bridge helper: what was received and how the child ended.
/// When <see cref="Receive"/> is <see cref="HelperReceive.Fd"/> the caller owns <see cref="ReceivedFd"/>.</summary>
public readonly record struct HelperOutcome(HelperReceive Receive, Fd ReceivedFd, Errno Error, ChildOutcome Child);
