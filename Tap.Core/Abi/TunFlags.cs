namespace Tap.Core.Abi;

/// <summary>
/// The <c>ifr_flags</c> bits of TUNSETIFF, TUNGETIFF, TUNGETFEATURES and TUNSETQUEUE (linux/if_tun.h).
/// </summary>
[Flags]
public enum TunFlags
{
    None = 0,
    Tun = 0x0001,
    Tap = 0x0002,
    Napi = 0x0010,
    NapiFrags = 0x0020,
    NoCarrier = 0x0040,
    MultiQueue = 0x0100,
    AttachQueue = 0x0200,
    DetachQueue = 0x0400,
    Persist = 0x0800,
    /// <summary>Same bit as <see cref="NoFilter"/>: TUNGETIFF cannot tell the two apart.</summary>
    NoPi = 0x1000,
    NoFilter = 0x1000,
    OneQueue = 0x2000,
    VnetHdr = 0x4000,
    TunExcl = 0x8000,
}
