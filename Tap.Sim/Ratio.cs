using System.Globalization;

namespace Tap.Sim;

/// <summary>
/// A probability as an integer ratio (TigerBeetle's <c>ratio(n, d)</c>): the same on every machine, printable
/// exactly, and drawn with one integer step of <see cref="SimRandom"/>, never through floating point.
/// </summary>
public readonly record struct Ratio
{
    /// <summary><paramref name="numerator"/> in <paramref name="denominator"/>; 0 &lt;= n &lt;= d, d &gt; 0.</summary>
    public Ratio(int numerator, int denominator)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(denominator);
        ArgumentOutOfRangeException.ThrowIfNegative(numerator);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(numerator, denominator);
        Numerator = numerator;
        Denominator = denominator;
    }

    /// <summary>Never.</summary>
    public static Ratio Zero => new(0, 1);

    /// <summary>The n in n/d.</summary>
    public int Numerator { get; }

    /// <summary>The d in n/d (a default-constructed ratio has 0 here and means never).</summary>
    public int Denominator { get; }

    /// <summary>True when it can never fire.</summary>
    public bool IsZero => Numerator == 0;

    /// <summary><c>n/d</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Numerator}/{Denominator}");
}
