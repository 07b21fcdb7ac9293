using Tap.Core.Options;

namespace Tap.Tests.Pins;

/// <summary>O5 flag warnings and the id rule, pinned on what <c>-netdev</c> prints.</summary>
public sealed class OptionParsingPinsTests
{
    private const string IdError = "Parameter 'id' expects an identifier\n"
        + "Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.";

    [Theory(DisplayName = "O6: '-', '.', '_' are allowed in an id after its first letter; other punctuation is not")]
    [InlineData("a-b", true)]
    [InlineData("a.b", true)]
    [InlineData("a_b", true)]
    [InlineData("a-._9", true)]
    [InlineData("a+b", false)]
    [InlineData("a b", false)]
    [InlineData("a/b", false)]
    public void IdCharacters(string id, bool ok)
    {
        var r = NetdevParser.Parse($"tap,id={id},script=no,downscript=no");
        Assert.Equal(ok, r.Ok);
        Assert.Equal(ok ? null : IdError, r.Error);
    }

    [Theory(DisplayName = "O5: the flags 'help' and '?' do not warn; 'nohelp' and other flags warn twice")]
    [InlineData("help", null)]
    [InlineData("?", null)]
    [InlineData("nohelp", "short-form boolean option 'nohelp' deprecated|Please use help=off instead")]
    [InlineData("vhost", "short-form boolean option 'vhost' deprecated|Please use vhost=on instead")]
    public void FlagWarnings(string flag, string? warnings)
    {
        var r = NetdevParser.Parse($"tap,id=t0,{flag}");
        Assert.Equal(warnings ?? "", string.Join("|", r.Warnings.Select(w => w.Message)));
    }
}
