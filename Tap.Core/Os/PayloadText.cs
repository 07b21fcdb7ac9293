using System.Text;

namespace Tap.Core.Os;

/// <summary>
/// Appends the one token that stands for a payload in a kernel call's text. The spelling of the call is shared
/// (<see cref="KernelCalls"/>); how much of the bytes to keep is the recorder's choice: a trace keeps them in full
/// or as a length and CRC-32 (docs/trace-format.md §4.2), the simulator's record only their length
/// (<see cref="KernelCalls.PayloadLength"/>).
/// </summary>
public delegate StringBuilder PayloadText(StringBuilder text, ReadOnlySpan<byte> payload);
