using System.Security.Cryptography;

namespace Tap.Tests.Linux;

/// <summary>A private temporary directory for scripts and their output, removed on Dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tapnet-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));

    /// <summary>Writes <paramref name="name"/> with <paramref name="text"/>, executable unless told otherwise.</summary>
    public string Write(string name, string text, bool executable = true)
    {
        var path = System.IO.Path.Combine(Path, name);
        File.WriteAllText(path, text);
        if (OperatingSystem.IsWindows())
        {
            return path;
        }
        File.SetUnixFileMode(path, executable
            ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            : UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    public string File_(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
