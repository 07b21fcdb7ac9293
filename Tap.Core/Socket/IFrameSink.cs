namespace Tap.Core.Socket;

/// <summary>Where <see cref="StreamDeframer"/> hands each whole frame.</summary>
public interface IFrameSink
{
    /// <summary>One whole frame; valid only during the call.</summary>
    void OnFrame(ReadOnlySpan<byte> frame);
}
