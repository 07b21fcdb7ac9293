namespace Tap.Sim;

/// <summary>What a simulated network script does.</summary>
public sealed record SimScript(Tap.Core.Os.ChildOutcome Outcome)
{
    public static SimScript Succeeds => new(Tap.Core.Os.ChildOutcome.Exit(0));
    public static SimScript Exits(int code) => new(Tap.Core.Os.ChildOutcome.Exit(code));
    public static SimScript KilledBy(int signal) => new(Tap.Core.Os.ChildOutcome.Signal(signal));
    public static SimScript Hangs => new(Tap.Core.Os.ChildOutcome.Timeout());
    public static SimScript WaitFails => new(Tap.Core.Os.ChildOutcome.WaitFailure(Tap.Core.Abi.Errno.ECHILD));
}

/// <summary>What a simulated bridge helper sends back.</summary>
public enum SimHelperSends
{
    /// <summary>A fresh tap made like qemu-bridge-helper does (tap%d, up, with VNET_HDR).</summary>
    TapFd,
    /// <summary>A fresh tap without VNET_HDR.</summary>
    TapFdWithoutVnetHdr,
    /// <summary>An fd that is not a tap (/dev/null).</summary>
    OtherFd,
    /// <summary>A data byte with no fd.</summary>
    DataWithoutFd,
    /// <summary>Nothing: end of stream.</summary>
    Nothing,
    /// <summary>Nothing, and it never exits: the OS layer kills it after its timeout.</summary>
    Hangs,
    /// <summary>The receive on our end of the socket fails (EPIPE).</summary>
    ReceiveFails,
}

/// <summary>A simulated bridge helper: what it sends, then how it ends.</summary>
public sealed record SimHelper(SimHelperSends Sends, Tap.Core.Os.ChildOutcome End)
{
    public static SimHelper SendsTap(int exitCode = 0) =>
        new(SimHelperSends.TapFd, Tap.Core.Os.ChildOutcome.Exit(exitCode));
}
