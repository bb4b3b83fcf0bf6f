using System.Runtime.InteropServices;
using Workbook.Cli.Runner;
using Workbook.Cli.Runner.Html;
using Workbook.Runtime;
using Workbook.Training;
using RunRecord = Workbook.Cli.Runner.RunRecord;

namespace Workbook.Cli.Commands;

/// <summary>
/// <c>workbook run [NOTEBOOK...] [--profile smoke|quick|paper] [--out DIR]</c>: executes notebooks
/// as Polyglot's "run all" would and writes, per notebook, the executed .ipynb and an HTML report,
/// then reports/index.html and reports/timings.json.
/// </summary>
public static class RunCommand
{
    /// <summary>The command's help text.</summary>
    public const string Usage = """
        usage: workbook run [NOTEBOOK...] [--profile smoke|quick|paper] [--out DIR] [--seeds N] [--retrain]
                            [--publish] [--record-timings] [--cell-timeout SECONDS]

          NOTEBOOK          .ipynb files or folders of them (default: every notebooks/*.ipynb, in name order)
          --profile         smoke, quick or paper (default: WORKBOOK_PROFILE, else quick)
          --out             where reports go (default: WORKBOOK_OUT, else <repository>/reports); checked
                            before the first notebook runs
          --seeds N         seeds per judged experiment (default: WORKBOOK_SEEDS, else 3 under paper, 1 otherwise)
          --retrain         train every run again, ignoring runs/ and results/; each retrained run is compared
                            with its published record and the report says where they differ
          --publish         maintainer step, paper profile only: write every run trained now into results/,
                            each notebook's claims and timing into results/<notebook>/, and regenerate README's
                            scorecard and paper timings from results/
          --record-timings  maintainer step: write this whole-workbook run's timings into README.md
          --cell-timeout S  stop a notebook at a cell that runs longer than S seconds (default:
                            WORKBOOK_CELL_TIMEOUT, else no limit; compiling the cell counts); the next
                            notebook still runs, while the stopped cell may go on in the background

        Runs are taken from this machine's cache (runs/), then from the published results (results/), and
        trained only when neither has them. A plain run never changes tracked files.
        Writes <out>/<name>.ipynb (executed), <out>/<name>.html, <out>/index.html and <out>/timings.json.
        Ctrl-C stops the run: the reports so far are kept and the interrupted notebook gets a partial
        report; a second Ctrl-C quits at once.
        Exit code: 0 when every notebook ran, 1 when one failed, 2 for a usage error, 130 when interrupted.
        """;

    /// <param name="WholeWorkbook">Every notebook of notebooks/ into the default reports folder: only such a run updates README's timings.</param>
    /// <param name="Seeds">Seeds per judged experiment, when set.</param>
    /// <param name="Retrain">Train everything again and compare with the published records.</param>
    /// <param name="Publish">Write new runs, claims and timings into results/ and README.</param>
    /// <param name="RecordTimings">Write the whole-workbook timings into README.</param>
    /// <param name="CellTimeout">The per-cell time limit, or null for none.</param>
    sealed record Options(IReadOnlyList<string> Notebooks, string Profile, string Out, bool WholeWorkbook, int? Seeds = null,
        bool Retrain = false, bool Publish = false, bool RecordTimings = false, TimeSpan? CellTimeout = null);

    /// <summary>Exit code of a run stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int InterruptedExitCode = 130;

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        // Off the caller's synchronization context: cells may await, and nothing here needs a UI thread.
        return Task.Run(() => RunAsync(args)).GetAwaiter().GetResult();
    }

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var terminal = Console.Out;
        if (args.Any(a => a is "-h" or "--help"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        Options options;
        try
        {
            options = Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or UsageException)
        {
            Console.Error.WriteLine($"workbook run: {e.Message}\n\n{Usage}");
            return 2;
        }

        // The notebooks read both through the library (Profile.Current, WorkbookPaths.Reports).
        Environment.SetEnvironmentVariable(Profile.EnvironmentVariable, options.Profile);
        Environment.SetEnvironmentVariable(WorkbookPaths.OutVariable, options.Out);
        if (options.Seeds is { } seeds) Environment.SetEnvironmentVariable(Profile.SeedsVariable, seeds.ToString());
        if (options.Retrain) Environment.SetEnvironmentVariable(RunCache.RetrainVariable, "1");
        if (options.Publish) Environment.SetEnvironmentVariable(RunCache.PublishVariable, "1");
        Directory.CreateDirectory(options.Out);

        var reporter = new ConsoleReporter(terminal, !Console.IsOutputRedirected);
        // First Ctrl-C (or SIGTERM): stop after writing the reports; a second one quits at once.
        using var stop = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            if (stop.IsCancellationRequested) return; // not cancelled: the default action ends the process
            context.Cancel = true;
            stop.Cancel();
            reporter.Line("interrupted: writing the reports of what ran so far (press Ctrl-C again to quit at once)");
        }
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        var catalog = PackageCatalog.ForRunner();
        var runner = new NotebookRunner(catalog);
        runner.CellStarting += reporter.CellStarting;
        int cachedRuns = 0;
        Action<TrainingProgress> progress = p =>
        {
            if (p.State is RunState.Cached or RunState.Published) Interlocked.Increment(ref cachedRuns);
            reporter.TrainingProgress(p);
        };
        TrainingEvents.Progress += progress;
        var records = new List<RunRecord>();
        var failures = new List<string>();
        try
        {
            for (int i = 0; i < options.Notebooks.Count && !stop.IsCancellationRequested; i++)
            {
                var path = options.Notebooks[i];
                var name = Path.GetFileNameWithoutExtension(path);
                reporter.NotebookStarting(name, i + 1, options.Notebooks.Count, options.Profile);
                Notebook notebook;
                try
                {
                    notebook = Notebook.Load(path);
                }
                catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
                {
                    reporter.Line($"  ERROR: {e.Message}");
                    failures.Add($"{name}.ipynb: cannot be read: {e.Message}");
                    records.Add(new RunRecord(name, "error", 0, 0, 0, options.Profile, DateTime.UtcNow, MachineInfo.Current, null, e.Message));
                    continue;
                }
                cachedRuns = 0;
                RunContext.Override = notebook.Name;
                RunLog.Clear();
                var result = await runner.RunAsync(notebook, options.CellTimeout, stop.Token) with { Runs = RunLog.Entries };
                reporter.NotebookFinished(result);
                try
                {
                    IpynbWriter.Write(result, Path.Combine(options.Out, notebook.Name + ".ipynb"));
                    HtmlReportWriter.Write(result, Path.Combine(options.Out, notebook.Name + ".html"));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The folder was checked at the start; it may have filled up or gone since.
                    reporter.Line($"  ERROR: the reports of {notebook.Name} could not be written to {options.Out}: {e.Message}");
                    failures.Add($"{notebook.Name}.ipynb: its reports could not be written: {e.Message}");
                }
                records.Add(RunRecord.From(result) with { CachedRuns = cachedRuns });
                if (options.Publish && result.Succeeded)
                {
                    Publishing.Publication.PublishNotebook(result, options.Out, WorkbookPaths.Results);
                    reporter.Line($"  published: results/{notebook.Name}/ ({RunProvenanceCounts(result)})");
                }
                if (!result.Succeeded)
                    failures.Add($"{notebook.Name}.ipynb {(result.Interrupted ? "was interrupted" : "failed")} at cell {result.FailedCell}: {(result.Error is { } err ? CellError.Summary(err) : "")}");
                // After every notebook, so an interrupted run still lists the notebooks it finished.
                TryWriteIndex(options.Out, records, reporter);
            }
        }
        finally
        {
            TrainingEvents.Progress -= progress;
        }

        reporter.Summary(records);
        reporter.Line($"reports: {Path.Combine(options.Out, "index.html")}");
        // Only maintainer steps touch tracked files: a user's plain run leaves the clone clean.
        if (options.RecordTimings && options.WholeWorkbook && records.Count > 0 && !stop.IsCancellationRequested
            && ReadmeTimings.Record(records, options.Profile))
            reporter.Line($"README.md: recorded the {options.Profile} timings");
        if (options.Publish && Publishing.Publication.WriteReadme(WorkbookPaths.Results))
            reporter.Line("README.md: regenerated the scorecard and the paper timings from results/");
        foreach (var f in failures) reporter.Line("FAILED: " + f);
        if (stop.IsCancellationRequested)
        {
            reporter.Line($"interrupted: {records.Count} of {options.Notebooks.Count} notebooks have reports");
            return InterruptedExitCode;
        }
        return failures.Count == 0 ? 0 : 1;
    }

    static string RunProvenanceCounts(NotebookResult result) => Workbook.Training.RunProvenanceTable.Counts(result.Runs);

    static void TryWriteIndex(string folder, IReadOnlyList<RunRecord> records, ConsoleReporter reporter)
    {
        try { WriteIndex(folder, records); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reporter.Line($"  ERROR: the index could not be written to {folder}: {e.Message}");
        }
    }

    static void WriteIndex(string folder, IReadOnlyList<RunRecord> records)
    {
        var timingsPath = Path.Combine(folder, "timings.json");
        var timings = TimingsFile.Read(timingsPath).Merge(records, folder);
        timings.Write(timingsPath);
        IndexWriter.Write(timings, folder);
    }

    static Options Parse(string[] args)
    {
        var a = new Args(args, "retrain", "publish", "record-timings");
        string? profile = a.Get("profile"), output = a.Get("out"), cellTimeout = a.Get("cell-timeout");
        int? seeds = null;
        if (a.Get("seeds") is { } count)
        {
            try { seeds = Profile.ParseSeeds(count); }
            catch (ArgumentException e) { throw new ArgumentException($"--seeds {count}: {e.Message}"); }
        }
        bool retrain = a.Flag("retrain"), publish = a.Flag("publish"), recordTimings = a.Flag("record-timings");
        a.RejectUnknown();
        var paths = a.Positional;
        if (paths.FirstOrDefault(p => p.StartsWith('-')) is { } option) throw new UsageException($"unknown option {option}");
        profile = Profile.Parse(profile ?? Environment.GetEnvironmentVariable(Profile.EnvironmentVariable)).ToString().ToLowerInvariant();
        var outFolder = Path.GetFullPath(output ?? WorkbookPaths.Reports);
        if (publish && profile != "paper")
            throw new ArgumentException("--publish publishes paper-profile results only: add --profile paper");
        if (publish && retrain)
            throw new ArgumentException("--publish with --retrain would replace published records: retrain first, then publish");
        var limit = ParseSeconds(cellTimeout ?? Environment.GetEnvironmentVariable(NotebookRunner.CellTimeoutVariable),
            cellTimeout != null ? "--cell-timeout" : NotebookRunner.CellTimeoutVariable);
        var notebooks = FindNotebooks(paths);
        CheckWritable(outFolder);
        return new Options(notebooks, profile, outFolder, paths.Count == 0 && outFolder == Path.GetFullPath(WorkbookPaths.DefaultReports),
            seeds, retrain, publish, recordTimings, limit);
    }

    /// <summary>A time limit in seconds (a positive number), or null when none is given.</summary>
    static TimeSpan? ParseSeconds(string? text, string name)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            || !double.IsFinite(seconds) || seconds <= 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
            throw new ArgumentException($"{name} takes a number of seconds greater than 0, not '{text}' (for example {name}{(name.StartsWith('-') ? " " : "=")}600)");
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>
    /// Fails (a usage error) when reports cannot be written to <paramref name="folder"/>: checked before
    /// the first notebook runs, so a long run never ends by losing its reports.
    /// </summary>
    static void CheckWritable(string folder)
    {
        const string fix = "Choose a folder you can write with --out DIR (or WORKBOOK_OUT).";
        if (File.Exists(folder)) throw new ArgumentException($"--out {folder} is a file, not a folder. {fix}");
        var probe = Path.Combine(folder, $".write-test-{Environment.ProcessId}.tmp");
        try
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--out {folder} cannot be written: {e.Message}. {fix}");
        }
    }

    /// <summary>The notebooks to run: those named (folders expand to their *.ipynb), else notebooks/*.ipynb, each in name order.</summary>
    static List<string> FindNotebooks(List<string> paths)
    {
        static IEnumerable<string> InFolder(string folder) =>
            Directory.GetFiles(folder, "*.ipynb").Order(StringComparer.Ordinal);

        if (paths.Count == 0)
        {
            var folder = Path.Combine(WorkbookPaths.Root, "notebooks");
            if (!Directory.Exists(folder)) throw new ArgumentException($"no notebooks folder at {folder}; name the notebooks to run");
            return NonEmpty(InFolder(folder).ToList(), folder);
        }
        var found = new List<string>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p)) found.AddRange(NonEmpty(InFolder(p).Select(Path.GetFullPath).ToList(), p));
            else if (File.Exists(p)) found.Add(Path.GetFullPath(p));
            else throw new ArgumentException($"no such notebook: {p}");
        }
        return found;
    }

    /// <summary>A folder named to be run must hold notebooks: running nothing and exiting 0 would hide a wrong path.</summary>
    static List<string> NonEmpty(List<string> notebooks, string folder) => notebooks.Count > 0 ? notebooks
        : throw new ArgumentException($"there are no notebooks (*.ipynb) in {Path.GetFullPath(folder)}; name the notebooks or a folder that holds them");
}
