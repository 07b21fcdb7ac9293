using Tap.Trace;

namespace Tap.Cli;

/// <summary>
/// A trace file written without a user-space buffer: each record is one write(2), so whatever stops tapnet (a
/// crash, SIGKILL) the file holds every record written before it, whole.
/// </summary>
public sealed class FileTraceSink : ITraceSink, IDisposable
{
    private readonly FileStream _file;

    /// <summary>Creates (or truncates) <paramref name="path"/>.</summary>
    /// <exception cref="IOException">The file cannot be created.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission.</exception>
    public FileTraceSink(string path) =>
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);

    public void Append(ReadOnlySpan<byte> line) => _file.Write(line);

    public void Flush() => _file.Flush();

    public void Dispose() => _file.Dispose();
}
