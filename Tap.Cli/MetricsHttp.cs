using System.Globalization;
using System.Text;

namespace Tap.Cli;

/// <summary>
/// The HTTP a Prometheus scrape needs and no more (README, Metrics): one request per connection, answered and
/// closed. <c>GET</c> or <c>HEAD</c> of <c>/metrics</c> (any query) is 200 with the exposition; another path 404,
/// another method 405, a request line that is not <c>METHOD TARGET HTTP/1.x</c> 400, a request head larger than
/// <see cref="MaxRequestHead"/> 431.
/// </summary>
internal static class MetricsHttp
{
    /// <summary>The largest request head read: a scraper's is a few hundred bytes.</summary>
    public const int MaxRequestHead = 8192;

    /// <summary>The content type of the text format, version 0.0.4, as Prometheus asks for it.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Whether <paramref name="received"/> holds a whole request head (up to its empty line).</summary>
    public static bool HeadComplete(ReadOnlySpan<byte> received) => received.IndexOf("\r\n\r\n"u8) >= 0 ||
        received.IndexOf("\n\n"u8) >= 0;

    /// <summary>
    /// The response to <paramref name="received"/>, what the client sent before its head ended, it closed, or
    /// <see cref="MaxRequestHead"/> bytes came; <paramref name="collect"/> is called only for a 200.
    /// </summary>
    public static byte[] Respond(ReadOnlySpan<byte> received, Func<string> collect)
    {
        if (!HeadComplete(received))
        {
            return received.Length >= MaxRequestHead
                ? Status(431, "Request Header Fields Too Large")
                : Status(400, "Bad Request");
        }
        int lineEnd = received.IndexOf((byte)'\n');
        string line = Encoding.ASCII.GetString(received[..lineEnd]).TrimEnd('\r');
        string[] parts = line.Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || !parts[1].StartsWith('/') ||
            !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return Status(400, "Bad Request");
        }
        bool head = parts[0] == "HEAD";
        if (parts[0] != "GET" && !head)
        {
            return Status(405, "Method Not Allowed", "Allow: GET, HEAD\r\n");
        }
        string path = parts[1].Split('?', 2)[0];
        if (path != "/metrics")
        {
            return Status(404, "Not Found");
        }
        return Response("200 OK", ContentType, collect(), withBody: !head);
    }

    /// <summary>An error response whose body is its status line's reason.</summary>
    private static byte[] Status(int code, string reason, string extraHeaders = "") =>
        Response($"{code.ToString(CultureInfo.InvariantCulture)} {reason}", "text/plain; charset=utf-8", reason + "\n",
            withBody: true, extraHeaders);

    /// <summary>A whole response, closed after; <paramref name="withBody"/> false (HEAD) keeps the body's
    /// length and leaves the body out.</summary>
    private static byte[] Response(string status, string contentType, string body, bool withBody,
        string extraHeaders = "")
    {
        byte[] content = Encoding.UTF8.GetBytes(body);
        byte[] head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status}\r\n{extraHeaders}Content-Type: {contentType}\r\n" +
            $"Content-Length: {content.Length.ToString(CultureInfo.InvariantCulture)}\r\nConnection: close\r\n\r\n");
        return withBody ? [.. head, .. content] : head;
    }
}
