using Tap.Core.Abi;

namespace Tap.Core.Os;

/// <summary>The result of a call with no value: success, or the errno it failed with.</summary>
public readonly record struct SysResult(Errno Error)
{
    /// <summary>The successful result.</summary>
    public static SysResult Success => default;

    /// <summary>True when the call succeeded.</summary>
    public bool Ok => Error == Errno.None;

    /// <summary>A failure with <paramref name="error"/>.</summary>
    public static implicit operator SysResult(Errno error) => new(error);
}

/// <summary>The result of a call that yields a value on success, or the errno it failed with.</summary>
public readonly record struct SysResult<T>(T Value, Errno Error)
{
    /// <summary>True when the call succeeded and <see cref="Value"/> is meaningful.</summary>
    public bool Ok => Error == Errno.None;

    /// <summary>A success carrying <paramref name="value"/>.</summary>
    public static implicit operator SysResult<T>(T value) => new(value, Errno.None);

    /// <summary>A failure with <paramref name="error"/>.</summary>
    public static implicit operator SysResult<T>(Errno error) => new(default!, error);
}
