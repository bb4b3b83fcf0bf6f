using Workbook.Cli.Bench;

namespace Workbook.Cli.Commands;

/// <summary><c>workbook bench</c>: TorchSharp against PyTorch on the workbook's own training loop (issue #7).</summary>
public static class BenchCommand
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "workbook bench [--quick] [--repeats 3] [--out bench/results.json] [--models net2,e1,e4] [--batches N]\n" +
        "               [--threads N] [--no-python] [--python /usr/bin/python3] [--no-readme]\n" +
        "    seconds per training epoch, evaluation and data loading, TorchSharp against PyTorch run alternately;\n" +
        "    --quick: 300 batches per epoch and 1 repeat (for CI; timings are not judged). A full run with both\n" +
        "    sides writes its table into README.md's bench section unless --no-readme. See bench/README.md";

    /// <summary>Batches per epoch in --quick mode.</summary>
    public const int QuickBatches = 300;

    /// <summary>Runs the command.</summary>
    public static int Run(string[] argv) => Run(argv, Console.WriteLine);

    /// <summary>Runs the command, writing progress and the table through <paramref name="log"/>.</summary>
    public static int Run(string[] argv, Action<string> log)
    {
        var args = new Args(argv, "quick", "no-python", "no-readme");
        if (args.Positional.Count > 0) throw new UsageException($"bench takes no positional arguments ('{args.Positional[0]}')");
        bool quick = args.Flag("quick");
        int? batches = args.Int("batches");
        var options = new BenchOptions
        {
            Mode = quick ? "quick" : batches != null ? "custom" : "full",
            Repeats = args.Int("repeats") ?? (quick ? 1 : 3),
            Batches = batches ?? (quick ? QuickBatches : null),
            Out = args.Get("out") ?? Path.Combine("bench", "results.json"),
            Models = args.Get("models") is { } list ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : BenchOptions.DefaultModels,
            Python = !args.Flag("no-python"),
            PythonPath = args.Get("python") ?? "/usr/bin/python3",
            Threads = args.Int("threads"),
        };
        // README shows the latest full comparison; quick, partial or one-sided runs never replace it.
        bool readme = !args.Flag("no-readme") && options.Mode == "full" && options.Python && options.Models.SequenceEqual(BenchOptions.DefaultModels);
        args.RejectUnknown();
        if (options.Repeats < 1) throw new UsageException("--repeats must be at least 1");
        if (options.Batches is < 1) throw new UsageException("--batches must be at least 1");
        if (options.Threads is < 1) throw new UsageException("--threads must be at least 1");
        if (options.Models.Count == 0) throw new UsageException("--models needs at least one model name");
        foreach (var m in options.Models) Workbook.Models.ModelZoo.Get(m); // unknown names fail before anything runs

        var result = Benchmark.Run(options, log);
        log(Benchmark.ToText(result));
        log($"wrote {Path.GetFullPath(options.Out)}");
        if (readme && result.PyTorch.Available)
            log(ReadmeSection.Replace("bench", Benchmark.ToMarkdown(result))
                ? $"wrote the table into {ReadmeSection.DefaultPath}" : $"warning: {ReadmeSection.DefaultPath} has no bench section; the table was not written there");
        if (options.Python && !result.PyTorch.Available)
        {
            log($"warning: the PyTorch side did not run: {result.PyTorch.Reason}");
            // CI's quick run still passes; a full benchmark without its reference is not a result.
            return quick ? 0 : 1;
        }
        return 0;
    }
}
