using Tap.Cli;

// Before anything touches Console or opens a file: see InheritedSignals and StandardStreams.
Tap.Linux.InheritedSignals.Reclaim();
var (stdoutGiven, stderrGiven) = Tap.Linux.StandardStreams.Prepare();
// A stream tapnet was not given is not touched at all (the runtime may hold its number): output to it is dropped.
var stdout = new UnfailingWriter(stdoutGiven ? Console.Out : TextWriter.Null);
var stderr = new UnfailingWriter(stderrGiven ? Console.Error : TextWriter.Null);
// The Linux layer reports through Console.Error where it is given no sink of its own.
Console.SetError(stderr);
if (!stdoutGiven)
{
    Console.SetOut(TextWriter.Null);
}
return TapnetProgram.Run(args, stdout, stderr);
