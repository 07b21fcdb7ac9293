using System.Text;
using Tap.Cli;

namespace Tap.Tests.Metrics;

/// <summary>
/// The answers of <c>--metrics</c>' HTTP to literal requests: a scrape, and everything that is not one.
/// </summary>
public sealed class MetricsHttpTests
{
    private const string Exposition = "# TYPE x_total counter\nx_total 1\n";

    private static (string Response, int Collected) Ask(string request)
    {
        int collected = 0;
        byte[] response = MetricsHttp.Respond(Encoding.ASCII.GetBytes(request), () =>
        {
            collected++;
            return Exposition;
        });
        return (Encoding.UTF8.GetString(response), collected);
    }

    [Theory(DisplayName = "Metrics HTTP: GET /metrics (1.0 or 1.1, any query, bare LF too) is 200 with the exposition")]
    [InlineData("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9464\r\nAccept: */*\r\n\r\n")]
    [InlineData("GET /metrics HTTP/1.0\r\n\r\n")]
    [InlineData("GET /metrics?name[]=x HTTP/1.1\r\nHost: h\r\n\r\n")]
    [InlineData("GET /metrics HTTP/1.1\nHost: h\n\n")]
    public void ScrapeIsAnswered(string request)
    {
        var (response, collected) = Ask(request);
        Assert.Equal(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: 33\r\n" +
            "Connection: close\r\n\r\n" + Exposition, response);
        Assert.Equal(1, collected);
    }

    [Fact(DisplayName = "Metrics HTTP: HEAD /metrics has the length of the body it leaves out")]
    public void HeadLeavesOutTheBody()
    {
        var (response, _) = Ask("HEAD /metrics HTTP/1.1\r\n\r\n");
        Assert.Equal(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: 33\r\n" +
            "Connection: close\r\n\r\n", response);
    }

    [Theory(DisplayName = "Metrics HTTP: what is not a scrape gets its status and no collection")]
    [InlineData("GET / HTTP/1.1\r\n\r\n", "404 Not Found")]
    [InlineData("GET /metricsx HTTP/1.1\r\n\r\n", "404 Not Found")]
    [InlineData("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "405 Method Not Allowed")]
    [InlineData("get /metrics HTTP/1.1\r\n\r\n", "405 Method Not Allowed")]
    [InlineData("GET /metrics\r\n\r\n", "400 Bad Request")]
    [InlineData("GET metrics HTTP/1.1\r\n\r\n", "400 Bad Request")]
    [InlineData("GET /metrics HTTP/2.0\r\n\r\n", "400 Bad Request")]
    [InlineData("GET  /metrics HTTP/1.1\r\n\r\n", "400 Bad Request")]
    [InlineData("GET /metrics HTTP/1.1\r\nHost: h\r\n", "400 Bad Request")]
    [InlineData("", "400 Bad Request")]
    public void NotAScrape(string request, string status)
    {
        var (response, collected) = Ask(request);
        string reason = status[4..];
        string allow = status.StartsWith("405", StringComparison.Ordinal) ? "Allow: GET, HEAD\r\n" : "";
        Assert.Equal(
            $"HTTP/1.1 {status}\r\n{allow}Content-Type: text/plain; charset=utf-8\r\n" +
            $"Content-Length: {reason.Length + 1}\r\nConnection: close\r\n\r\n{reason}\n",
            response);
        Assert.Equal(0, collected);
    }

    // The endpoint reads until this says the head is complete, then answers: a head that ends at once is answered
    // at once (400), not after the connection's time limit.
    [Theory(DisplayName = "Metrics HTTP: a head is complete at its empty line, CRLF or bare LF, even with nothing before it")]
    [InlineData("\r\n\r\n", true)]
    [InlineData("\n\n", true)]
    [InlineData("GET /metrics HTTP/1.1\r\nHost: h\r\n\r\n", true)]
    [InlineData("GET /metrics HTTP/1.1\nHost: h\n\n", true)]
    [InlineData("GET /metrics HTTP/1.1\r\nHost: h\r\n", false)]
    [InlineData("GET /metrics HTTP/1.1\r\n\r", false)]
    [InlineData("", false)]
    public void HeadComplete(string received, bool complete) =>
        Assert.Equal(complete, MetricsHttp.HeadComplete(Encoding.ASCII.GetBytes(received)));

    [Fact(DisplayName = "Metrics HTTP: 405 says which methods are allowed")]
    public void MethodNotAllowedSaysWhich() =>
        Assert.Contains("\r\nAllow: GET, HEAD\r\n", Ask("DELETE /metrics HTTP/1.1\r\n\r\n").Response,
            StringComparison.Ordinal);

    [Fact(DisplayName = "Metrics HTTP: a head that fills 8 KiB without ending is 431")]
    public void OversizeHead()
    {
        string request = "GET /metrics HTTP/1.1\r\nX-Pad: " + new string('a', 8192);
        var (response, collected) = Ask(request[..8192]);
        Assert.StartsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n", response, StringComparison.Ordinal);
        Assert.Equal(0, collected);
    }
}
