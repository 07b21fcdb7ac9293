namespace Tap.Trace;

/// <summary>The kinds of trace record, by the letter that starts them in the file.</summary>
public enum TraceRecordKind
{
    /// <summary><c>H</c>: one header field.</summary>
    Header,

    /// <summary><c>C</c>: one IOsNet call, its arguments and its result.</summary>
    Call,

    /// <summary><c>E</c>: one event the front end or the main loop handed the core.</summary>
    Event,

    /// <summary>
    /// <c>N</c>: an outcome the core produced on its own (a send completion, a netdev's init result).
    /// </summary>
    Note,

    /// <summary><c>Z</c>: the recording ended cleanly.</summary>
    End,
}
