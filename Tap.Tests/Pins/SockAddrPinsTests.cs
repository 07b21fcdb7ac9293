using System.Net;
using Tap.Core.Os;

namespace Tap.Tests.Pins;

/// <summary>
/// How a socket address prints (ST2): an inet one as host:port, a unix one as its path, with QEMU's <c>@</c> in front
/// when it is in the abstract namespace (the spelling of QEMU's <c>abstract=on</c> addresses in its own output).
/// </summary>
public sealed class SockAddrPinsTests
{
    [Fact(DisplayName = "ST2: an inet address prints as host:port")]
    public void InetPrints() =>
        Assert.Equal("169.254.7.1:5000", new InetSockAddr(IPAddress.Parse("169.254.7.1"), 5000).ToString());

    [Theory(DisplayName = "ST2: a unix address prints as its path, @ in front when abstract, tight or not")]
    [InlineData("/run/s.sock", false, true, "/run/s.sock")]
    [InlineData("/run/s.sock", false, false, "/run/s.sock")]
    [InlineData("tapnet", true, true, "@tapnet")]
    [InlineData("tapnet", true, false, "@tapnet")]
    public void UnixPrints(string path, bool isAbstract, bool tight, string printed) =>
        Assert.Equal(printed, new UnixSockAddr(path, isAbstract, tight).ToString());
}
