namespace Tap.Core.Socket;

/// <summary>What feeding bytes to a <see cref="StreamDeframer"/> found (S5-S7).</summary>
public enum DeframeResult
{
    /// <summary>Every byte was consumed; whole frames were handed on, a partial one waits for more.</summary>
    Ok,
    /// <summary>A header announced a frame of length 0 (S6): the stream must be closed.</summary>
    ZeroLength,
    /// <summary>A header announced a frame above <see cref="StreamDeframer.MaxFrameBytes"/> (S6): close.</summary>
    Oversize,
}
