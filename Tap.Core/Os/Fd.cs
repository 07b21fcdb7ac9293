namespace Tap.Core.Os;

/// <summary>
/// A file descriptor number as the core sees it. The core never owns the kernel object: an <see cref="IOsNet"/>
/// does (a SafeHandle on Linux, a table entry in the simulator). The number is kept because QEMU's messages and
/// info strings print it (<c>fd=3</c>, <c>Can't use file descriptor 3</c>).
/// </summary>
public readonly record struct Fd(int Number)
{
    /// <inheritdoc/>
    public override string ToString() => Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
