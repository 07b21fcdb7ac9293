namespace Tap.Sim;

/// <summary>xoshiro256** seeded through splitmix64: our own PRNG, so a seed means the same run everywhere.</summary>
public sealed class SimRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public SimRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A number in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive) => maxExclusive <= 1 ? 0 : (int)(NextUInt64() % (ulong)maxExclusive);

    /// <summary>A number in [<paramref name="min"/>, <paramref name="maxExclusive"/>).</summary>
    public int Next(int min, int maxExclusive) => min + Next(maxExclusive - min);

    /// <summary>
    /// True with probability <paramref name="ratio"/>: one draw, <c>Next(d) &lt; n</c>. A zero ratio draws nothing,
    /// so a site that is off does not shift the stream of the rest of the run.
    /// </summary>
    public bool Chance(Ratio ratio) => ratio.Numerator > 0 && Next(ratio.Denominator) < ratio.Numerator;

    /// <summary>
    /// True with probability <paramref name="p"/> (workload coin flips; fault sites use <see cref="Ratio"/>).
    /// </summary>
    public bool Chance(double p) => p > 0 && (NextUInt64() >> 11) * (1.0 / (1UL << 53)) < p;

    /// <summary>Fisher-Yates shuffle of <paramref name="items"/>.</summary>
    public void Shuffle<T>(List<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
