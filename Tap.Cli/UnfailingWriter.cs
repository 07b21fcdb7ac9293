namespace Tap.Cli;

/// <summary>
/// stdout or stderr for tapnet's messages, stats and summaries: a write that fails (the terminal went away with the
/// SIGHUP that stops tapnet, a full disk, a stream closed under it) never throws into the program. From the first
/// failure on, output is dropped and forwarding and the clean-up go on, as QEMU's fprintf fails quietly. .NET's
/// console stream throws on such errors (it ignores only EPIPE), which ended tapnet with exit 134 before its down
/// scripts ran.
/// </summary>
public sealed class UnfailingWriter(TextWriter inner) : TextWriter
{
    private volatile bool _failed;

    /// <summary>The writer written to.</summary>
    public TextWriter Inner => inner;

    /// <summary>True once a write or flush failed; nothing is written after that.</summary>
    public bool Failed => _failed;

    public override System.Text.Encoding Encoding => inner.Encoding;

    public override string NewLine
    {
        get => inner.NewLine;
#pragma warning disable CS8765 // TextWriter.NewLine's setter takes null to mean the default
        set => inner.NewLine = value;
#pragma warning restore CS8765
    }

    public override void Write(char value) => Try(static (w, v) => w.Write(v), value);

    public override void Write(string? value) => Try(static (w, v) => w.Write(v), value);

    public override void Write(char[] buffer, int index, int count) =>
        Try(static (w, v) => w.Write(v.buffer, v.index, v.count), (buffer, index, count));

    public override void WriteLine() => Try(static (w, _) => w.WriteLine(), 0);

    public override void WriteLine(string? value) => Try(static (w, v) => w.WriteLine(v), value);

    public override void Flush() => Try(static (w, _) => w.Flush(), 0);

    private void Try<T>(Action<TextWriter, T> write, T value)
    {
        if (_failed)
        {
            return;
        }
        try
        {
            write(inner, value);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // .NET reports EBADF as UnauthorizedAccessException, EIO and ENOSPC as IOException.
            _failed = true;
        }
    }
}
