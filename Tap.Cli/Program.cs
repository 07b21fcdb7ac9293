using Tap.Cli;

return TapnetProgram.Run(args, Console.Out, Console.Error);
