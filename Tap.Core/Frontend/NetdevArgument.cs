namespace Tap.Core.Frontend;

/// <summary>One <c>-netdev</c> argument as the user wrote it: the option's spelling and its value.</summary>
public sealed record NetdevArgument(string Option, string Value);
