using Workbook.Cli.Runner;

// The `workbook` command: one entry point per sub-command.
return args.FirstOrDefault() switch
{
    "run" => RunCommand.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: workbook <command> [options]\n\ncommands:\n  run    execute notebooks and write reports (workbook run --help)");
    return 2;
}
