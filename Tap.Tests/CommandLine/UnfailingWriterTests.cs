using Tap.Cli;

namespace Tap.Tests.CommandLine;

/// <summary>tapnet's stdout and stderr (docs/scripts-and-helpers.md#closed-stdio): a stream that fails stops taking
/// output; it never throws into the program.</summary>
public sealed class UnfailingWriterTests
{
    /// <summary>Fails with <paramref name="failure"/> from the call numbered <paramref name="failAt"/> (from 1) on.
    /// </summary>
    private sealed class Breaking(int failAt, Func<Exception> failure) : TextWriter
    {
        private readonly System.Text.StringBuilder _text = new();

        public int Calls { get; private set; }

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override string ToString() => _text.ToString();

        private void Step()
        {
            Calls++;
            if (Calls >= failAt)
            {
                throw failure();
            }
        }

        public override void Write(char value) { Step(); _text.Append(value); }

        public override void Write(string? value) { Step(); _text.Append(value); }

        public override void Write(char[] buffer, int index, int count) { Step(); _text.Append(buffer, index, count); }

        public override void WriteLine() { Step(); _text.Append('\n'); }

        public override void WriteLine(string? value) { Step(); _text.Append(value).Append('\n'); }

        public override void Flush() => Step();
    }

    [Fact(DisplayName = "closed-stdio: every kind of write passes through while the stream works")]
    public void PassesThrough()
    {
        var inner = new StringWriter { NewLine = "\n" };
        var w = new UnfailingWriter(inner);
        w.Write('a');
        w.Write("bc");
        w.Write("xdefx".ToCharArray(), 1, 3);
        w.WriteLine();
        w.WriteLine("line");
        w.Write(42);
        w.Flush();
        Assert.Equal("abcdef\nline\n42", inner.ToString());
        Assert.False(w.Failed);
        Assert.Same(inner, w.Inner);
        Assert.Equal("\n", w.NewLine);
        w.NewLine = "\r\n";
        Assert.Equal("\r\n", inner.NewLine);
        Assert.Equal(inner.Encoding, w.Encoding);
    }

    public static TheoryData<string> Failures => new() { "io", "badf", "disposed" };

    private static Exception Make(string kind) => kind switch
    {
        "io" => new IOException("No space left on device"),
        "badf" => new UnauthorizedAccessException("Access to the path is denied."),
        _ => new ObjectDisposedException("stdout"),
    };

    [Theory(DisplayName = "closed-stdio: the first failing write is swallowed and nothing is written after it")]
    [MemberData(nameof(Failures))]
    public void StopsAfterFailure(string kind)
    {
        var inner = new Breaking(failAt: 2, () => Make(kind));
        var w = new UnfailingWriter(inner);
        w.WriteLine("first");
        w.WriteLine("second");
        Assert.True(w.Failed);
        w.Write('c');
        w.Write("more");
        w.Write(new[] { 'x' }, 0, 1);
        w.WriteLine();
        w.WriteLine("after");
        w.Flush();
        Assert.Equal(2, inner.Calls);
        Assert.Equal("first\n", inner.ToString());
    }

    [Fact(DisplayName = "closed-stdio: a failing flush counts too")]
    public void FlushFails()
    {
        var inner = new Breaking(failAt: 1, () => new IOException("Input/output error"));
        var w = new UnfailingWriter(inner);
        w.Flush();
        Assert.True(w.Failed);
        w.WriteLine("x");
        Assert.Equal(1, inner.Calls);
    }

    [Fact(DisplayName = "closed-stdio: an error that is not the stream's (a bug) is not hidden")]
    public void OtherErrorsPropagate()
    {
        var w = new UnfailingWriter(new Breaking(failAt: 1, () => new InvalidOperationException("bug")));
        Assert.Throws<InvalidOperationException>(() => w.WriteLine("x"));
        Assert.False(w.Failed);
    }
}
