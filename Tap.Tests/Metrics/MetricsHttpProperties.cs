using System.Text;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using Tap.Cli;
using Tap.Tests.Properties;

namespace Tap.Tests.Metrics;

/// <summary>
/// <c>--metrics</c> answers whoever reaches its port: whatever bytes arrive, the answer is one whole response with a
/// status from the short list, a length that is the body's, and a collection only for a scrape.
/// </summary>
public sealed class MetricsHttpProperties
{
    private const int Cases = 3000;
    private const string Exposition = "# TYPE x_total counter\nx_total 1\n";

    // What a scrape's request line is, written here independently of MetricsHttp: method, a target that is
    // /metrics with or without a query, a version of HTTP/1.
    private static readonly Regex Scrape =
        new(@"^(GET|HEAD) /metrics(\?[^ ]*)? HTTP/1\.[^ ]*$", RegexOptions.CultureInvariant);

    private static readonly Regex Answer = new(
        @"^HTTP/1\.1 (200 OK|400 Bad Request|404 Not Found|405 Method Not Allowed" +
        @"|431 Request Header Fields Too Large)\r\n" +
        @"(Allow: GET, HEAD\r\n)?Content-Type: [^\r\n]+\r\nContent-Length: (\d+)\r\nConnection: close\r\n\r\n",
        RegexOptions.CultureInvariant);

    // Pieces requests are made of: the words of a request line, line ends of every kind, and odd bytes.
    private static readonly string[] Pieces =
    [
        "GET", "HEAD", "POST", "get", " ", "  ", "/metrics", "/metricsx", "/", "metrics", "?", "?a=b", "#",
        "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.", "\r\n", "\n", "\r", "\r\n\r\n", "\n\n", "Host: h", ":", "\0",
        "\u00e9", "\t", new string('a', 300), new string('a', 3000),
    ];

    // Requests near a scrape: each part of a request line, its end and the head's end, right or a little wrong.
    private static Gen<string> NearScrape { get; } =
        from method in Gen.Elements("GET", "HEAD", "POST", "get", "", "GET\t")
        from space1 in Gen.Elements(" ", " ", " ", "  ", "")
        from target in Gen.Elements("/metrics", "/metrics", "/metrics?x=1", "/metrics?a?b", "/metricsx", "/", "metrics",
            "/metrics#f", "/Metrics", "?/metrics")
        from space2 in Gen.Elements(" ", " ", " ", "  ", "")
        from version in Gen.Elements(
            "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/1.", "HTTP/2.0", "HTTP/1", "http/1.1", "")
        from lineEnd in Gen.Elements("\r\n", "\r\n", "\n", "\r", "\r\r\n", "")
        from headers in Gen.Elements("", "", "Host: h\r\n", "Host: h\n", "Host: h\r\nAccept: */*\r\n", "Host: h")
        from end in Gen.Elements("\r\n", "\r\n", "\n", "", "\r")
        select method + space1 + target + space2 + version + lineEnd + headers + end;

    private static Gen<byte[]> Jumbled { get; } =
        from count in Gen.Choose(0, 14)
        from parts in Gen.ArrayOf(Gen.Elements(Pieces), count)
        from tailLength in Gen.Choose(0, 12)
        from tail in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), tailLength)
        from cut in Gen.Choose(0, 9000)
        select Cut(Encoding.UTF8.GetBytes(string.Concat(parts)).Concat(tail).ToArray(), cut);

    // Heads that reach the endpoint's limit, ended before it or not.
    private static Gen<byte[]> Long { get; } =
        from line in Gen.Elements("GET /metrics HTTP/1.1\r\n", "GET /metrics HTTP/1.1\r\n\r\n", "")
        from pad in Gen.Choose(8100, 8300)
        select Cut(Encoding.ASCII.GetBytes(line + "X-Pad: " + new string('a', pad)), MetricsHttp.MaxRequestHead);

    // Declared after the three it draws from: static initialisers run in order.
    private static Gen<byte[]> Request { get; } = Gen.Frequency(
        (4, NearScrape.Select(Encoding.UTF8.GetBytes)),
        (4, Jumbled),
        (1, Long));

    // The endpoint hands over at most MaxRequestHead bytes; longer heads are cut where it stops reading.
    private static byte[] Cut(byte[] bytes, int limit) =>
        bytes.Length > MetricsHttp.MaxRequestHead ? bytes[..Math.Min(MetricsHttp.MaxRequestHead, Math.Max(limit, 1))]
            : bytes;

    [Fact(DisplayName = "Metrics HTTP: any bytes get one whole response; 200 and a collection only for a scrape")]
    public void AnyBytesGetOneWholeResponse() =>
        PropertyRun.Check(nameof(AnyBytesGetOneWholeResponse), Arb.From(Request), Cases, received =>
        {
            int collected = 0;
            string response = Encoding.UTF8.GetString(MetricsHttp.Respond(received, () =>
            {
                collected++;
                return Exposition;
            }));
            var head = Answer.Match(response);
            Assert.True(head.Success,
                $"not one whole response: {Show(response)} to {Show(Encoding.UTF8.GetString(received))}");
            string status = head.Groups[1].Value;
            int length = int.Parse(head.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
            string body = response[head.Length..];

            string text = Encoding.ASCII.GetString(received);
            int lineEnd = text.IndexOf('\n', StringComparison.Ordinal);
            bool complete = text.Contains("\r\n\r\n", StringComparison.Ordinal)
                || text.Contains("\n\n", StringComparison.Ordinal);
            string line = lineEnd < 0 ? "" : text[..lineEnd].TrimEnd('\r');
            bool scrape = complete && Scrape.IsMatch(line);
            bool headRequest = line.StartsWith("HEAD ", StringComparison.Ordinal);

            Assert.True(scrape == (status == "200 OK"), $"{status} to {Show(line)} (complete: {complete})");
            Assert.Equal(scrape ? 1 : 0, collected);
            if (scrape)
            {
                Assert.Equal(headRequest ? "" : Exposition, body);
                Assert.Equal(Encoding.UTF8.GetByteCount(Exposition), length);
            }
            else
            {
                Assert.Equal(status[4..] + "\n", body);
                Assert.Equal(Encoding.UTF8.GetByteCount(body), length);
            }
            if (!complete)
            {
                Assert.Equal(received.Length >= MetricsHttp.MaxRequestHead ? "431 Request Header Fields Too Large"
                    : "400 Bad Request", status);
            }
            return true;
        });

    private static string Show(string s) => s.Replace("\r", "\\r", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal);
}
