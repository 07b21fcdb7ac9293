namespace Tap.Core.Socket;

/// <summary>What feeding bytes to a <see cref="StreamDeframer"/> found (ST5-ST7).</summary>
public enum DeframeResult
{
    /// <summary>Every byte was consumed; whole frames were handed on, a partial one waits for more.</summary>
    Ok,
    /// <summary>A header announced a frame of length 0 (ST6): the stream must be closed.</summary>
    ZeroLength,
    /// <summary>A header announced a frame above <see cref="StreamDeframer.MaxFrameBytes"/> (ST6): close.</summary>
    Oversize,
}
