using Tap.Core.Abi;

namespace Tap.Core.Os;

/// <summary>
/// What TUNGETIFF reports: the interface name and its flags (plus NOFILTER, DETACH_QUEUE, PERSIST bits).
/// </summary>
public readonly record struct TunInterfaceInfo(string Name, TunFlags Flags);
