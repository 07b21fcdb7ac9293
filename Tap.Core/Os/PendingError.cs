using Tap.Core.Abi;

namespace Tap.Core.Os;

/// <summary>What <c>SO_ERROR</c> held: <see cref="Errno.None"/> when the connect succeeded.</summary>
public readonly record struct PendingError(Errno Error);
