namespace Tap.Core.Net;

/// <summary>Flags carried with a packet through the net layer.</summary>
[Flags]
public enum PacketFlags
{
    None = 0,
    /// <summary>
    /// A raw packet (only the announce-self RARP): the receiver's net-level header is prepended (Q10.3).
    /// </summary>
    Raw = 1,
}
