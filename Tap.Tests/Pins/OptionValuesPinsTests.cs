using Tap.Core.Options;
using Tap.Core.Os;

namespace Tap.Tests.Pins;

/// <summary>
/// O10 value syntaxes at their edges (docs/options.md#O10; C strtoull/strtoll, qemu_strtosz): what each text reads
/// as, or the error QEMU prints for it.
/// </summary>
public sealed class OptionValuesPinsTests
{
    private const string UInt64Error = "Parameter 'queues' expects a uint64 value";
    private const string UInt32Error = "Parameter 'queues' expects uint32_t";
    private const string Int64Error = "Parameter 'hubid' expects an int64 value";
    private const string Int32Error = "Parameter 'hubid' expects int32_t";
    private const string SizeError = "Parameter 'sndbuf' expects a size value";

    [Theory(DisplayName = "O10 uint32: blanks and '+' first, base by prefix, hex digits in either case; "
        + "the whole text a number")]
    [InlineData(" \t\n\v\f\r5", 5u, null)]
    [InlineData("+5", 5u, null)]
    [InlineData("017", 15u, null)]
    [InlineData("0xa", 10u, null)]
    [InlineData("0xf", 15u, null)]
    [InlineData("0xab", 171u, null)]
    [InlineData("0XAB", 171u, null)]
    [InlineData("0xFfaA", 65450u, null)]
    [InlineData("0x", 0u, UInt64Error)]
    [InlineData("0xg", 0u, UInt64Error)]
    [InlineData("", 0u, UInt64Error)]
    [InlineData("   ", 0u, UInt64Error)]
    [InlineData("+", 0u, UInt64Error)]
    [InlineData("-0", 0u, UInt64Error)]
    [InlineData("4294967295", 4294967295u, null)]
    [InlineData("4294967296", 0u, UInt32Error)]
    [InlineData("18446744073709551615", 0u, UInt32Error)]
    [InlineData("18446744073709551616", 0u, UInt64Error)]
    public void UInt32(string text, uint expected, string? error)
    {
        Assert.Equal(error is null, OptionValues.TryUInt32("queues", text, out uint v, out string? e));
        Assert.Equal((expected, error), (v, e));
    }

    [Theory(DisplayName = "O10 int32: one sign, then strtoll's int64 range, then the 32-bit range")]
    [InlineData("-5", -5, null)]
    [InlineData("+5", 5, null)]
    [InlineData("-2147483648", -2147483648, null)]
    [InlineData("-0x10", -16, null)]
    [InlineData("2147483647", 2147483647, null)]
    [InlineData("2147483648", 0, Int32Error)]
    [InlineData("", 0, Int64Error)]
    [InlineData("  ", 0, Int64Error)]
    [InlineData("-", 0, Int64Error)]
    [InlineData("5x", 0, Int64Error)]
    [InlineData("-5 ", 0, Int64Error)]
    [InlineData("x", 0, Int64Error)]
    [InlineData("+ 5", 0, Int64Error)]
    [InlineData("- 5", 0, Int64Error)]
    [InlineData("-+5", 0, Int64Error)]
    [InlineData("++5", 0, Int64Error)]
    [InlineData("--5", 0, Int64Error)]
    [InlineData("9223372036854775807", 0, Int32Error)]
    [InlineData("9223372036854775808", 0, Int64Error)]
    [InlineData("-9223372036854775808", 0, Int32Error)]
    [InlineData("-9223372036854775809", 0, Int64Error)]
    public void Int32(string text, int expected, string? error)
    {
        Assert.Equal(error is null, OptionValues.TryInt32("hubid", text, out int v, out string? e));
        Assert.Equal((expected, error), (v, e));
    }

    [Theory(DisplayName = "O10 size: suffixes as powers of 1024, fractions rounded to the nearest byte, 64 bits, "
        + "hex without a fraction")]
    [InlineData("1K", 1024UL)]
    [InlineData("1.5K", 1536UL)]
    [InlineData("1.K", 1024UL)]
    [InlineData("12.345M", 12944671UL)]        // 12944670.72, QEMU's own test value
    [InlineData("1.0005K", 1025UL)]           // 1024.512
    [InlineData("1.0004K", 1024UL)]           // 1024.4096
    [InlineData("1.5E", 1729382256910270464UL)]
    [InlineData("1.5e", 1729382256910270464UL)]
    [InlineData("1t", 1099511627776UL)]
    [InlineData("1T", 1099511627776UL)]
    [InlineData("1p", 1125899906842624UL)]
    [InlineData("1P", 1125899906842624UL)]
    [InlineData("0x10", 16UL)]
    [InlineData("0xaB", 171UL)]
    [InlineData("18014398509481983.9990234375K", 18446744073709551615UL)]   // (2^54 - 1) * 1024 + 1023
    public void SizeValues(string text, ulong expected)
    {
        var warnings = new List<Diagnostic>();
        Assert.True(OptionValues.TrySize("sndbuf", text, out ulong v, out string? e, warnings));
        Assert.Equal(expected, v);
        Assert.Null(e);
        Assert.Empty(warnings);
    }

    [Theory(DisplayName = "O10 size: an exponent, a hex fraction, a fraction without a suffix, no digits or more than "
        + "64 bits are refused")]
    [InlineData("")]
    [InlineData("0x")]
    [InlineData("1.5")]
    [InlineData("1.5e3")]
    [InlineData("1.5E+1")]
    [InlineData("1.5e-1")]
    [InlineData("0x1.8")]
    [InlineData("0x1.8K")]
    [InlineData("0x10000000000000000")]
    [InlineData("16E")]
    [InlineData("18014398509481984K")]
    public void SizeRefused(string text)
    {
        Assert.False(OptionValues.TrySize("sndbuf", text, out ulong v, out string? e, new List<Diagnostic>()));
        Assert.Equal((0UL, SizeError), (v, e));
    }

    [Fact(DisplayName = "O10 size: a suffix on hex is taken with QEMU's deprecation warning; "
        + "on decimal it warns nothing")]
    public void HexSuffixWarns()
    {
        var warnings = new List<Diagnostic>();
        Assert.True(OptionValues.TrySize("sndbuf", "0x10K", out ulong v, out _, warnings));
        Assert.Equal(16384UL, v);
        var w = Assert.Single(warnings);
        Assert.Equal(DiagnosticKind.Warning, w.Kind);
        Assert.Equal("Using a multiplier suffix on hex numbers is deprecated: 0x10K", w.Message);

        Assert.True(OptionValues.TrySize("sndbuf", "0x10K", out v, out _));   // without a list: no warning, no crash
        Assert.Equal(16384UL, v);
        Assert.True(OptionValues.TrySize("sndbuf", "10K", out v, out _, warnings));
        Assert.Single(warnings);
    }

    [Fact(DisplayName = "O10 bool: a failed parse leaves the value false")]
    public void BoolFailureValue()
    {
        Assert.False(OptionValues.TryBool("vhost", "maybe", out bool v, out string? e));
        Assert.False(v);
        Assert.Equal("Parameter 'vhost' expects 'on' or 'off'", e);
    }
}
