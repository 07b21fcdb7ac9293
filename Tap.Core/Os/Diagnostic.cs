namespace Tap.Core.Os;

/// <summary>How QEMU prints a diagnostic line, which decides its prefix.</summary>
public enum DiagnosticKind
{
    /// <summary><c>error_report</c>: <c>&lt;prog&gt;: message</c>.</summary>
    Error,
    /// <summary><c>warn_report</c>: <c>&lt;prog&gt;: warning: message</c>.</summary>
    Warning,
    /// <summary><c>fprintf(stderr)</c>: the message alone.</summary>
    Raw,
}

/// <summary>One line for the user, without the program-name prefix (the front end adds it).</summary>
public readonly record struct Diagnostic(DiagnosticKind Kind, string Message)
{
    /// <summary>The line as QEMU would print it for a program called <paramref name="program"/>.</summary>
    public string Format(string program) => Kind switch
    {
        DiagnosticKind.Error => $"{program}: {Message}",
        DiagnosticKind.Warning => $"{program}: warning: {Message}",
        _ => Message,
    };
}
