using Tap.Core.Options;

namespace Tap.Tests.Pins;

/// <summary>
/// <c>-netdev</c> parsing where the whole-Core mutation run found it untested: <c>?</c> as help (O9), the implied
/// type's <c>,,</c> escapes when the argument starts with a comma (O5), and which of two bad JSON members QEMU's
/// visitor names first (O12).
/// </summary>
public sealed class NetdevParserPinsTests
{
    [Fact(DisplayName = "O9: '-netdev ?' is help, as '-netdev help' (QEMU's is_help_option), with nothing else")]
    public void QuestionMarkIsHelp()
    {
        var r = NetdevParser.Parse("?");
        Assert.Equal((null, null), (r.Options, r.Error));
        Assert.Empty(r.Warnings);
        Assert.StartsWith("Available netdev backend types:\n", r.HelpText);
        Assert.Equal(NetdevParser.Parse("help").HelpText, r.HelpText);
    }

    [Theory(DisplayName = "O5: a leading comma gives the implied type an empty value; ',,' there is one comma")]
    [InlineData(",id=t0", "Parameter 'type' does not accept value ''")]
    [InlineData(",,id=t0", "Parameter 'type' does not accept value ',id=t0'")]
    [InlineData(",,,id=t0", "Parameter 'type' does not accept value ','")]
    public void LeadingComma(string argument, string error)
    {
        var r = NetdevParser.Parse(argument);
        Assert.Null(r.Options);
        Assert.Equal(error, r.Error);
    }

    [Theory(DisplayName = "O12: with both id and type of the wrong JSON type, the visitor names id (read first)")]
    [InlineData("{\"id\":1,\"type\":2}", "Invalid parameter type for 'id', expected: string")]
    [InlineData("{\"type\":2,\"id\":true}", "Invalid parameter type for 'id', expected: string")]
    [InlineData("{\"id\":\"t0\",\"type\":2}", "Invalid parameter type for 'type', expected: string")]
    public void JsonIdBeforeType(string argument, string error)
    {
        var r = NetdevParser.Parse(argument);
        Assert.Null(r.Options);
        Assert.Equal(error, r.Error);
    }
}
