namespace Tap.Fuzz.Targets;

/// <summary>Takes numbers off the front of a fuzz input; past the end every read gives 0.</summary>
internal ref struct FuzzReader(ReadOnlySpan<byte> input)
{
    private ReadOnlySpan<byte> _rest = input;

    public readonly bool IsEmpty => _rest.IsEmpty;

    public byte Byte()
    {
        if (_rest.IsEmpty)
        {
            return 0;
        }
        byte b = _rest[0];
        _rest = _rest[1..];
        return b;
    }

    public int UInt16() => Byte() | (Byte() << 8);
}
