using Tap.Bench;

return BenchProgram.Run(args, Console.Out, Console.Error);
