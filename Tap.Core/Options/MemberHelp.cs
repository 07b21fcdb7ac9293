namespace Tap.Core.Options;

/// <summary>
/// How <c>tapnet --help</c> shows a member: <c>name=Metavar</c>, then <see cref="Text"/>, then what absence means
/// in parentheses. A member without a text of its own is shown as an alternative on the line of the member before
/// it (<c>fd=N | fds=N:N:...</c>).
/// </summary>
public sealed record MemberHelp(string Metavar, string? Text, string? Absent);
