namespace Tap.Core.Abi;

/// <summary>TUNSETOFFLOAD bits. The host headers here predate USO, so the values are defined by us.</summary>
[Flags]
public enum TunOffload
{
    None = 0,
    Csum = 0x01,
    Tso4 = 0x02,
    Tso6 = 0x04,
    TsoEcn = 0x08,
    Ufo = 0x10,
    Uso4 = 0x20,
    Uso6 = 0x40,
}
