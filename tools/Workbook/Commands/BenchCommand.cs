using Workbook.Cli.Bench;

namespace Workbook.Cli.Commands;

/// <summary><c>workbook bench</c>: TorchSharp against PyTorch on the workbook's own training loop (issue #7).</summary>
public static class BenchCommand
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "workbook bench [--quick] [--repeats 3] [--out bench/results.json] [--models net2,e1,e4] [--batches N]\n" +
        "               [--threads N] [--no-python] [--python /usr/bin/python3] [--no-readme]\n" +
        "               [--gpu] [--device cpu|cuda] [--batch 64] [--same-order]\n" +
        "    seconds per training epoch, evaluation and data loading, TorchSharp against PyTorch run alternately;\n" +
        "    --quick: 300 batches per epoch and 1 repeat (for CI; timings are not judged). A full run with both\n" +
        "    sides writes its table into README.md's bench section unless --no-readme. See bench/README.md\n" +
        "    --gpu: both sides on the GPU (--device cuda), models net2,e1,e4,e5, batch 32, PyTorch given the workbook's\n" +
        "    own batch order (--same-order), python3 from PATH, results in bench/results-gpu.json; target ratio 1.5";

    /// <summary>A bare program name (python3) looked up on PATH; a path is returned as given.</summary>
    static string FindOnPath(string program)
    {
        if (program.Contains('/')) return program;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate)) return candidate;
        }
        return program; // PyTorchReference.TryStart then says that it does not exist
    }

    /// <summary>Batches per epoch in --quick mode.</summary>
    public const int QuickBatches = 300;

    /// <summary>Runs the command.</summary>
    public static int Run(string[] argv) => Run(argv, Console.WriteLine);

    /// <summary>Runs the command, writing progress and the table through <paramref name="log"/>.</summary>
    public static int Run(string[] argv, Action<string> log)
    {
        var args = new Args(argv, "quick", "no-python", "no-readme", "gpu", "same-order");
        if (args.Positional.Count > 0) throw new UsageException($"bench takes no positional arguments ('{args.Positional[0]}')");
        bool quick = args.Flag("quick");
        bool gpu = args.Flag("gpu");
        var device = (args.Get("device") ?? (gpu ? "cuda" : "cpu")).Trim().ToLowerInvariant();
        if (device is not ("cpu" or "cuda")) throw new UsageException($"--device is cpu or cuda, not '{device}'");
        if (gpu && device != "cuda") throw new UsageException("--gpu means --device cuda");
        int? batches = args.Int("batches");
        var options = new BenchOptions
        {
            Mode = gpu ? (quick ? "gpu-quick" : "gpu") : quick ? "quick" : batches != null ? "custom" : "full",
            Repeats = args.Int("repeats") ?? (quick ? 1 : 3),
            Batches = batches ?? (quick ? QuickBatches : null),
            Out = args.Get("out") ?? Path.Combine("bench", gpu ? "results-gpu.json" : "results.json"),
            Models = args.Get("models") is { } list ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : gpu ? BenchOptions.GpuModels : BenchOptions.DefaultModels,
            Python = !args.Flag("no-python"),
            PythonPath = args.Get("python") is { } python ? FindOnPath(python) : gpu ? FindOnPath("python3") : "/usr/bin/python3",
            Threads = args.Int("threads"),
            BatchSize = args.Int("batch") ?? (gpu ? 32 : 64),
            Device = device,
            SameOrder = gpu || args.Flag("same-order"),
        };
        // README shows the latest full comparison; quick, partial or one-sided runs never replace it.
        bool readme = !args.Flag("no-readme") && options.Mode == "full" && options.Python && options.Models.SequenceEqual(BenchOptions.DefaultModels);
        args.RejectUnknown();
        if (options.Repeats < 1) throw new UsageException("--repeats must be at least 1");
        if (options.Batches is < 1) throw new UsageException("--batches must be at least 1");
        if (options.Threads is < 1) throw new UsageException("--threads must be at least 1");
        if (options.BatchSize < 1) throw new UsageException("--batch must be at least 1");
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
