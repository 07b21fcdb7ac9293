using System.Text;

namespace Tap.Trace;

/// <summary>A trace kept in memory.</summary>
public sealed class MemoryTraceSink : ITraceSink
{
    private readonly MemoryStream _bytes = new();

    /// <inheritdoc/>
    public void Append(ReadOnlySpan<byte> line) => _bytes.Write(line);

    /// <inheritdoc/>
    public void Flush()
    {
    }

    /// <summary>Everything written so far.</summary>
    public byte[] ToArray() => _bytes.ToArray();

    /// <summary>Everything written so far, as text.</summary>
    public string Text => Encoding.UTF8.GetString(_bytes.GetBuffer(), 0, (int)_bytes.Length);
}
