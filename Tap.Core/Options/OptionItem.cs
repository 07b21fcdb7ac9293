namespace Tap.Core.Options;

/// <summary>One <c>key=value</c> item of a traditional <c>-netdev</c> argument, after <c>,,</c> unescaping.</summary>
public readonly record struct OptionItem(string Key, string Value);
