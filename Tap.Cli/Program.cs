using Tap.Cli;

// Before anything touches Console: see InheritedSignals.
Tap.Linux.InheritedSignals.Reclaim();
return TapnetProgram.Run(args, Console.Out, Console.Error);
