using System.Security.Cryptography;
using System.Text;

namespace Tap.Sim;

/// <summary>
/// Every call and event of a simulated run, one text line each, with a running SHA-256. The same seed and the same
/// inputs give the same lines, byte for byte.
/// </summary>
public sealed class SimRecord
{
    private readonly List<string> _lines = new();
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Keep the lines themselves (the digest is always kept).</summary>
    public bool KeepLines { get; set; } = true;

    /// <summary>Lines kept so far.</summary>
    public IReadOnlyList<string> Lines => _lines;

    /// <summary>Lines added so far, kept or not.</summary>
    public long Count { get; private set; }

    public void Add(string line)
    {
        Count++;
        _hash.AppendData(Encoding.UTF8.GetBytes(line));
        _hash.AppendData("\n"u8);
        if (KeepLines)
        {
            _lines.Add(line);
        }
    }

    /// <summary>SHA-256 of every line so far, lower-case hex.</summary>
    public string Digest() => Convert.ToHexStringLower(_hash.GetCurrentHash());

    /// <summary>The last <paramref name="n"/> kept lines.</summary>
    public IEnumerable<string> Tail(int n) => _lines.Skip(Math.Max(0, _lines.Count - n));
}
