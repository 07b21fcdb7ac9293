using Tap.Cli;

return TapnetProgram.Main(args, Console.Out, Console.Error);
