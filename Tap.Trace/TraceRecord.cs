using Tap.Core.Os;

namespace Tap.Trace;

/// <summary>One record of a trace: its sequence number, kind, body (the text between kind and checksum) and the
/// line of the file it came from (0 for records not read from a file).</summary>
public sealed record TraceRecord(long Seq, TraceRecordKind Kind, string Body, int Line)
{
    private List<string>? _tokens;

    /// <summary>The letter a kind is written as.</summary>
    public static char Letter(TraceRecordKind kind) => kind switch
    {
        TraceRecordKind.Header => 'H',
        TraceRecordKind.Call => 'C',
        TraceRecordKind.Event => 'E',
        TraceRecordKind.Note => 'N',
        _ => 'Z',
    };

    /// <summary>The body split into tokens (strings still quoted).</summary>
    /// <exception cref="FormatException">The body does not split.</exception>
    public List<string> Tokens => _tokens ??= TraceText.Split(Body);

    /// <summary>For a call: the part before <c>-&gt;</c> (the whole body when the call has no result).</summary>
    public string CallText
    {
        get
        {
            int arrow = ArrowIndex();
            return arrow < 0 ? Body : string.Join(' ', Tokens.Take(arrow));
        }
    }

    /// <summary>For a call: the result tokens after <c>-&gt;</c> (empty when the call has none).</summary>
    public IReadOnlyList<string> ResultTokens
    {
        get
        {
            int arrow = ArrowIndex();
            return arrow < 0 ? Array.Empty<string>() : Tokens.Skip(arrow + 1).ToList();
        }
    }

    /// <summary>The record as it appears in the file, without its checksum.</summary>
    public override string ToString() => $"{Seq} {Letter(Kind)} {Body}";

    private int ArrowIndex() => Tokens.IndexOf(KernelCalls.Arrow);
}
