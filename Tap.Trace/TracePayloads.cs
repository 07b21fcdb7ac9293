namespace Tap.Trace;

/// <summary>How a trace keeps packet payloads.</summary>
public enum TracePayloads
{
    /// <summary>Every byte, in hex: the replay hands the core the very frames it read.</summary>
    Full,

    /// <summary>Only each payload's length and CRC-32: smaller, and no packet contents on disk; the replay then
    /// reads zeros of the recorded lengths and checks writes by length only.</summary>
    Hash,
}
