using Tap.Cli;
using Tap.Linux;

namespace Tap.Tests.CommandLine;

/// <summary><c>--io=epoll|uring</c> (io-uring.md): how the real-host loop moves frames.</summary>
public sealed class IoOptionTests
{
    [Fact(DisplayName = "io-uring.md: --io defaults to epoll; --io=uring and --io=epoll select the loop")]
    public void Selects()
    {
        Assert.Equal(IoMode.Epoll, CliArguments.Parse(["-netdev", "tap,id=t0"]).Args!.Io);
        Assert.Equal(IoMode.Uring, CliArguments.Parse(["--io=uring", "-netdev", "tap,id=t0"]).Args!.Io);
        Assert.Equal(IoMode.Epoll, CliArguments.Parse(["--io=uring", "--io=epoll"]).Args!.Io);
    }

    [Theory(DisplayName = "io-uring.md: any other --io is a usage error naming both values")]
    [InlineData("--io=io_uring")]
    [InlineData("--io")]
    [InlineData("--io=")]
    public void Rejects(string arg)
    {
        var (args, error) = CliArguments.Parse([arg]);
        Assert.Null(args);
        Assert.Equal($"{arg}: expects --io=epoll or --io=uring", error);
    }
}
