namespace Tap.Core.Os;

/// <summary>What a main loop calls when a watched fd is ready. Level-triggered: called again on every loop
/// iteration while the fd stays ready and the interest stays on (R3).</summary>
public interface IFdHandler
{
    /// <summary>The fd is readable (or in error: a read will then report it).</summary>
    void OnReadable();

    /// <summary>The fd is writable.</summary>
    void OnWritable();
}
