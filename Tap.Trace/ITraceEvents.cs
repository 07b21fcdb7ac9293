namespace Tap.Trace;

/// <summary>Takes the records a front end adds around the IOsNet calls: the events it hands the core and the
/// outcomes the core gives back.</summary>
public interface ITraceEvents
{
    /// <summary>An event (<c>E</c>) the core is about to be handed.</summary>
    void Event(string body);

    /// <summary>An outcome (<c>N</c>) the core produced.</summary>
    void Note(string body);
}
