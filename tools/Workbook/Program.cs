using Workbook.Cli.Commands;
using Workbook.Data;

// The `workbook` command. Each command lives in Commands/; `run` drives the notebook runner of Runner/.
var commands = new Dictionary<string, (Func<string[], int> Run, string Usage)>
{
    ["data"] = (DataCommand.Run, DataCommand.Usage),
    ["models"] = (ModelsCommand.Run, ModelsCommand.Usage),
    ["train"] = (TrainCommand.Run, TrainCommand.Usage),
    ["ablations"] = (AblationsCommand.Run, AblationsCommand.Usage),
    ["bench"] = (BenchCommand.Run, BenchCommand.Usage),
    ["results"] = (ResultsCommand.Run, ResultsCommand.Usage),
    ["screenshots"] = (ScreenshotsCommand.Run, ScreenshotsCommand.Usage),
    ["run"] = (RunCommand.Run, RunCommand.Usage.Split('\n')[0].Replace("usage: ", "") + "   execute notebooks, write executed .ipynb and HTML reports"),
};

void PrintUsage(TextWriter w)
{
    w.WriteLine("usage: dotnet run --project tools/Workbook -- COMMAND [options]");
    foreach (var (_, c) in commands) w.WriteLine("  " + c.Usage.Replace("\n", "\n  "));
}

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    PrintUsage(Console.Out);
    return args.Length == 0 ? 2 : 0;
}
if (!commands.TryGetValue(args[0], out var command))
{
    Console.Error.WriteLine($"error: unknown command '{args[0]}'");
    PrintUsage(Console.Error);
    return 2;
}
// `COMMAND --help` (or -h) prints that command's usage; `run` has a longer help of its own.
if (args[0] != "run" && args[1..].Any(a => a is "-h" or "--help"))
{
    Console.WriteLine("usage: " + command.Usage);
    return 0;
}
try
{
    // A libtorch named by WORKBOOK_LIBTORCH is loaded and checked before any command touches TorchSharp,
    // so that a bad folder fails with its own message and the log starts with the libtorch and device used.
    if (Workbook.Runtime.ExternalLibTorch.Configured) Workbook.Runtime.NativeRuntime.EnsureTorch();
    return command.Run(args[1..]);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine("usage: " + command.Usage);
    return 2;
}
catch (Exception e) when (e is DataException or ArgumentException or Workbook.Runtime.ExternalLibTorchException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
