using System.Globalization;
using Tap.Cli;
using Tap.Core.Frontend;

namespace Tap.Tests.CommandLine;

/// <summary>
/// tapnet's own command line (README, tapnet): every option, its default, its spellings and its usage error, parsed
/// in process. These run in the fast suite (so mutation testing sees them); the Cli tests run the binary.
/// </summary>
public sealed class CliArgumentsTests
{
    private static CliArguments Ok(params string[] argv)
    {
        var (args, error) = CliArguments.Parse(argv);
        Assert.True(error is null, error);
        return args!;
    }

    private static string Error(params string[] argv)
    {
        var (args, error) = CliArguments.Parse(argv);
        Assert.Null(args);
        return error!;
    }

    [Fact(DisplayName = "tapnet: with no option every default holds")]
    public void Defaults()
    {
        var a = Ok();
        Assert.False(a.Help);
        Assert.False(a.Version);
        Assert.True(a.Offload);
        Assert.Null(a.StatsSeconds);
        Assert.False(a.StatsJson);
        Assert.Null(a.TracePath);
        Assert.Equal(Tap.Trace.TracePayloads.Full, a.TracePayloads);
        Assert.Null(a.Metrics);
        Assert.Null(a.RunAs);
        Assert.Null(a.ControlPath);
        Assert.Equal(Tap.Linux.IoMode.Epoll, a.Io);
        Assert.Empty(a.Netdevs);
        Assert.Empty(a.Objects);
        Assert.True(new CliArguments().Offload, "offload is on by default for a CliArguments built directly too");
    }

    [Theory(DisplayName = "tapnet: -h, -help, --help ask for help; -version, --version for the version")]
    [InlineData("-h", true, false)]
    [InlineData("-help", true, false)]
    [InlineData("--help", true, false)]
    [InlineData("-version", false, true)]
    [InlineData("--version", false, true)]
    public void HelpAndVersion(string arg, bool help, bool version)
    {
        var a = Ok(arg);
        Assert.Equal(help, a.Help);
        Assert.Equal(version, a.Version);
    }

    [Theory(DisplayName = "--stats: every second by default, --stats=SECONDS in any positive decimal, JSON on request")]
    [InlineData(new[] { "--stats" }, 1.0, false)]
    [InlineData(new[] { "--stats=0.5" }, 0.5, false)]
    [InlineData(new[] { "--stats=2" }, 2.0, false)]
    [InlineData(new[] { "--stats=1e-1" }, 0.1, false)]
    [InlineData(new[] { "--stats-json" }, 1.0, true)]
    [InlineData(new[] { "--stats=3", "--stats-json" }, 3.0, true)]
    [InlineData(new[] { "--stats-json", "--stats=3" }, 3.0, true)]
    [InlineData(new[] { "--stats=3", "--stats" }, 1.0, false)]
    public void Stats(string[] argv, double seconds, bool json)
    {
        var a = Ok(argv);
        Assert.Equal(seconds, a.StatsSeconds);
        Assert.Equal(json, a.StatsJson);
    }

    [Fact(DisplayName = "--stats=0.5 means half a second whatever the culture (a decimal comma is not taken)")]
    public void StatsCulture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            Assert.Equal(0.5, Ok("--stats=0.5").StatsSeconds);
            Assert.Equal("--stats=0,5: expects a positive number of seconds", Error("--stats=0,5"));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Theory(DisplayName = "--stats=: zero, negative, empty or not a number is a usage error naming it")]
    [InlineData("--stats=0")]
    [InlineData("--stats=-1")]
    [InlineData("--stats=")]
    [InlineData("--stats=abc")]
    [InlineData("--stats=1s")]
    public void StatsRejected(string arg) =>
        Assert.Equal($"{arg}: expects a positive number of seconds", Error(arg));

    [Theory(DisplayName = "--trace FILE and --trace=FILE; the next word is the file whatever it looks like")]
    [InlineData(new[] { "--trace", "run.trace" }, "run.trace")]
    [InlineData(new[] { "--trace=run.trace" }, "run.trace")]
    [InlineData(new[] { "--trace", "--stats" }, "--stats")]
    [InlineData(new[] { "--trace=a", "--trace=b" }, "b")]
    public void Trace(string[] argv, string path)
    {
        var a = Ok(argv);
        Assert.Equal(path, a.TracePath);
        Assert.Null(a.StatsSeconds);
    }

    [Theory(DisplayName = "--trace without a file name is a usage error")]
    [InlineData("--trace")]
    [InlineData("--trace=")]
    public void TraceWithoutFile(string arg) => Assert.Equal("--trace: requires a file name", Error(arg));

    [Theory(DisplayName = "--trace-payloads=full|hash; anything else names both")]
    [InlineData("--trace-payloads=full", true)]
    [InlineData("--trace-payloads=hash", true)]
    [InlineData("--trace-payloads", false)]
    [InlineData("--trace-payloads=", false)]
    [InlineData("--trace-payloads=Hash", false)]
    [InlineData("--trace-payloads-hash", false)]
    public void TracePayloads(string arg, bool ok)
    {
        if (ok)
        {
            var expected = arg.EndsWith("hash", StringComparison.Ordinal)
                ? Tap.Trace.TracePayloads.Hash : Tap.Trace.TracePayloads.Full;
            Assert.Equal(expected, Ok("--trace-payloads=hash", arg).TracePayloads);
        }
        else
        {
            Assert.Equal($"{arg}: expects --trace-payloads=full or --trace-payloads=hash", Error(arg));
        }
    }

    [Theory(DisplayName = "--metrics=HOST:PORT: a name, IPv4, or IPv6 in brackets; the URL a scraper reads")]
    [InlineData("--metrics=127.0.0.1:9464", "127.0.0.1", 9464, "http://127.0.0.1:9464/metrics")]
    [InlineData("--metrics=localhost:1", "localhost", 1, "http://localhost:1/metrics")]
    [InlineData("--metrics=[::1]:65535", "[::1]", 65535, "http://[::1]:65535/metrics")]
    [InlineData("--metrics=169.254.9.1:09464", "169.254.9.1", 9464, "http://169.254.9.1:9464/metrics")]
    public void Metrics(string arg, string host, int port, string url)
    {
        var m = Ok(arg).Metrics!;
        Assert.Equal(host, m.Host);
        Assert.Equal(port, m.Port);
        Assert.Equal(url, m.ScrapeUrl);
    }

    [Theory(DisplayName = "--metrics=: no port, port 0 or over 65535, a signed or spaced port, no host, bare IPv6: a usage error")]
    [InlineData("--metrics=localhost")]
    [InlineData("--metrics=localhost:")]
    [InlineData("--metrics=localhost:0")]
    [InlineData("--metrics=localhost:65536")]
    [InlineData("--metrics=localhost:+80")]
    [InlineData("--metrics=localhost: 80")]
    [InlineData("--metrics=localhost:80 ")]
    [InlineData("--metrics=:9464")]
    [InlineData("--metrics=::1:9464")]
    [InlineData("--metrics=[::1:9464")]
    [InlineData("--metrics=")]
    public void MetricsRejected(string arg) =>
        Assert.Equal($"{arg}: expects --metrics=HOST:PORT (a port from 1 to 65535)", Error(arg));

    [Theory(DisplayName = "runas-parse: --runas takes the next word or what follows '='")]
    [InlineData(new[] { "--runas", "nobody" }, "nobody")]
    [InlineData(new[] { "--runas=65534:65534" }, "65534:65534")]
    [InlineData(new[] { "-netdev", "tap,id=t0", "--runas", "a:b" }, "a:b")]
    public void RunAs(string[] argv, string expected)
    {
        var (args, error) = CliArguments.Parse(argv);
        Assert.Null(error);
        Assert.Equal(expected, args!.RunAs);
    }

    [Fact(DisplayName = "runas-parse: --runas at the end of the line is a usage error naming it")]
    public void RunAsWithoutUser()
    {
        var (args, error) = CliArguments.Parse(["-netdev", "tap,id=t0", "--runas"]);
        Assert.Null(args);
        Assert.Equal("--runas: requires a user (USER, USER:GROUP or UID:GID)", error);
    }

    [Theory(DisplayName = "--control=PATH; an empty path is a usage error")]
    [InlineData("--control=/run/tapnet.sock", "/run/tapnet.sock", null)]
    [InlineData("--control=", null, "--control: requires a socket path")]
    public void Control(string arg, string? path, string? error)
    {
        if (error is null)
        {
            Assert.Equal(path, Ok(arg).ControlPath);
        }
        else
        {
            Assert.Equal(error, Error(arg));
        }
    }

    [Theory(DisplayName = "--offload=on|off, the last one wins; other spellings are invalid options")]
    [InlineData(new[] { "--offload=off" }, false)]
    [InlineData(new[] { "--offload=on" }, true)]
    [InlineData(new[] { "--offload=off", "--offload=on" }, true)]
    [InlineData(new[] { "--offload=on", "--offload=off" }, false)]
    public void Offload(string[] argv, bool on) => Assert.Equal(on, Ok(argv).Offload);

    [Theory(DisplayName = "an unknown option, or a known one misspelt, is '<arg>: invalid option (try --help)'")]
    [InlineData("--nope")]
    [InlineData("--offload")]
    [InlineData("--offload=no")]
    [InlineData("--stats-jsonx")]
    [InlineData("-netdevx")]
    [InlineData("netdev")]
    [InlineData("-")]
    public void Invalid(string arg) => Assert.Equal($"{arg}: invalid option (try --help)", Error(arg));

    [Fact(DisplayName = "-netdev ARG in all four spellings keeps the spelling and the order; -object the same")]
    public void NetdevsAndObjects()
    {
        var a = Ok("-netdev", "tap,id=t0", "--netdev", "tap,id=t1", "-netdev=tap,id=t2", "--netdev=tap,id=t3,x=a=b",
            "-object", "filter-dump,id=f0,netdev=t0,file=x", "--object", "filter-dump,id=f1,netdev=t1,file=y");
        Assert.Equal(
            [new NetdevArgument("-netdev", "tap,id=t0"), new NetdevArgument("--netdev", "tap,id=t1"),
             new NetdevArgument("-netdev", "tap,id=t2"), new NetdevArgument("--netdev", "tap,id=t3,x=a=b")],
            a.Netdevs);
        Assert.Equal(
            [new NetdevArgument("-object", "filter-dump,id=f0,netdev=t0,file=x"),
             new NetdevArgument("--object", "filter-dump,id=f1,netdev=t1,file=y")],
            a.Objects);
    }

    [Theory(DisplayName = "-netdev or -object with nothing after it is '<arg>: requires an argument'")]
    [InlineData("-netdev")]
    [InlineData("--netdev")]
    [InlineData("-object")]
    [InlineData("--object")]
    public void MissingArgument(string arg)
    {
        Assert.Equal($"{arg}: requires an argument", Error(arg));
        Assert.Equal($"{arg}: requires an argument", Error("--stats", arg));
    }

    [Fact(DisplayName = "the first usage error ends the parse: later options are not looked at")]
    public void FirstErrorWins() =>
        Assert.Equal("--stats=x: expects a positive number of seconds", Error("--stats=x", "--nope", "--metrics=y"));

    [Fact(DisplayName = "every option at once: each lands in its own field")]
    public void Everything()
    {
        var a = Ok("--stats=2", "--stats-json", "--trace", "t.trace", "--trace-payloads=hash",
            "--metrics=127.0.0.1:9464", "--runas", "nobody", "--control=/tmp/c.sock", "--offload=off", "--io=uring",
            "-netdev", "tap,id=t0", "-object", "filter-dump,id=f0,netdev=t0,file=x", "--help", "--version");
        Assert.Equal(2.0, a.StatsSeconds);
        Assert.True(a.StatsJson);
        Assert.Equal("t.trace", a.TracePath);
        Assert.Equal(Tap.Trace.TracePayloads.Hash, a.TracePayloads);
        Assert.Equal(new MetricsAddress("127.0.0.1", 9464), a.Metrics);
        Assert.Equal("nobody", a.RunAs);
        Assert.Equal("/tmp/c.sock", a.ControlPath);
        Assert.False(a.Offload);
        Assert.Equal(Tap.Linux.IoMode.Uring, a.Io);
        Assert.Single(a.Netdevs);
        Assert.Single(a.Objects);
        Assert.True(a.Help);
        Assert.True(a.Version);
    }
}
