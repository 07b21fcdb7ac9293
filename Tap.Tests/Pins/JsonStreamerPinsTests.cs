using Tap.Core.Options;
using Tap.Core.Options.Json;

namespace Tap.Tests.Pins;

/// <summary>
/// O12, QEMU's JSON streamer (json-streamer.c): it hands tokens to the parser only when every brace and bracket is
/// closed or one closes too many, so a list left open when the object closes keeps it reading, and a lexical error
/// after that is what gets reported.
/// </summary>
public sealed class JsonStreamerPinsTests
{
    [Fact(DisplayName = "O12: an object closed over an open list keeps the streamer reading: "
        + "a stray character after it is the error")]
    public void OpenListKeepsReading()
    {
        var r = JsonNetdevParser.Parse("{\"type\":\"tap\",\"id\":[}@");
        Assert.False(r.Ok);
        Assert.Equal("JSON parse error, stray '@'", r.Error);
        Assert.Equal("JSON parse error, expecting value", QemuJson.Parse("{\"a\":[}").Error);
    }

    [Theory(DisplayName = "O12: a top-level list is read whole (the reader, not -netdev, which wants an object)")]
    [InlineData("[]")]
    [InlineData("[1]")]
    [InlineData("[[1],{}]")]
    public void TopLevelList(string json)
    {
        var (value, error) = QemuJson.Parse(json);
        Assert.Null(error);
        Assert.NotNull(value);
    }
}
