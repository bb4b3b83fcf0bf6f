using System.Diagnostics;
using Workbook.Reporting;
using Workbook.Cli.Runner.Formatting;

namespace Workbook.Cli.Runner;

/// <summary>What happened to one cell.</summary>
public enum CellStatus
{
    /// <summary>Not run: a markdown or raw cell, or a cell after the one that failed.</summary>
    NotRun,
    /// <summary>Ran to the end.</summary>
    Ran,
    /// <summary>Threw, or did not compile; the notebook stopped here.</summary>
    Failed,
}

/// <summary>One cell after the run.</summary>
/// <param name="Cell">The cell as read.</param>
/// <param name="Kernel">csharp or markdown (for code cells), null for markdown and raw cells.</param>
/// <param name="Outputs">Its outputs.</param>
/// <param name="ExecutionCount">Its execution count, when it ran.</param>
/// <param name="Status">Ran, failed or not run.</param>
/// <param name="Seconds">Wall time of the cell.</param>
public sealed record CellRun(NotebookCell Cell, string? Kernel, CellOutputs Outputs, int? ExecutionCount, CellStatus Status, double Seconds);

/// <summary>One notebook after the run.</summary>
/// <param name="Notebook">The notebook as read.</param>
/// <param name="Cells">Every cell, in order.</param>
/// <param name="FailedCell">The number (1-based, among all cells) of the cell that failed, or null.</param>
/// <param name="Error">What stopped it, or null.</param>
/// <param name="Seconds">Wall time of the whole notebook.</param>
/// <param name="StartedUtc">When it started.</param>
/// <param name="Profile">The workbook profile it ran under.</param>
/// <param name="Interrupted">True when the run was stopped (Ctrl-C) rather than failing by itself.</param>
public sealed record NotebookResult(Notebook Notebook, IReadOnlyList<CellRun> Cells, int? FailedCell, ErrorOutput? Error,
    double Seconds, DateTime StartedUtc, string Profile, bool Interrupted = false)
{
    /// <summary>True when every cell ran.</summary>
    public bool Succeeded => FailedCell == null;

    /// <summary>Code cells that ran (or failed): the number the console summary shows.</summary>
    public int CellsRun => Cells.Count(c => c.Status != CellStatus.NotRun);

    /// <summary>Code cells in the notebook.</summary>
    public int CodeCells => Cells.Count(c => c.Cell.Kind == CellKind.Code);

    /// <summary>The training runs the notebook asked for, and where each came from (the report lists them).</summary>
    public IReadOnlyList<Workbook.Training.RunLogEntry> Runs { get; init; } = [];
}

/// <summary>
/// Runs a notebook's cells in order in one <see cref="ScriptSession"/>, with the notebook's folder as
/// the current directory (as Polyglot does), and stops at the first cell that fails.
/// </summary>
public sealed class NotebookRunner(PackageCatalog catalog)
{
    /// <summary>Told when a code cell starts: the cell and the number of code cells.</summary>
    public event Action<Notebook, NotebookCell, int>? CellStarting;

    /// <summary>
    /// Runs the notebook. Never throws for a failing cell: the failure is in the result. A cell that
    /// runs longer than <paramref name="cellLimit"/>, or is running when <paramref name="stop"/> is
    /// cancelled (Ctrl-C), fails with a message saying so and the notebook stops there. .NET cannot
    /// kill a thread, so such a cell is abandoned: it may keep running in the background until the
    /// process ends, but the outputs it had made are in the result.
    /// </summary>
    public async Task<NotebookResult> RunAsync(Notebook notebook, TimeSpan? cellLimit = null, CancellationToken stop = default)
    {
        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var profile = Workbook.Runtime.Profile.Current.ToString();
        var folder = Path.GetDirectoryName(notebook.Path)!;
        var session = new ScriptSession(catalog, folder, notebook.Name);
        var defaultKernel = DefaultKernel(notebook);
        int codeCells = notebook.Cells.Count(c => c.Kind == CellKind.Code);
        var runs = new List<CellRun>();
        int executionCount = 0;
        int? failed = null;
        ErrorOutput? error = null;
        bool interrupted = false;

        var previousDirectory = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(folder);
        try
        {
            foreach (var cell in notebook.Cells)
            {
                var outputs = new CellOutputs();
                if (cell.Kind != CellKind.Code || failed != null)
                {
                    runs.Add(new CellRun(cell, cell.Kind == CellKind.Code ? cell.KernelName : null, outputs, null, CellStatus.NotRun, 0));
                    continue;
                }
                CellStarting?.Invoke(notebook, cell, codeCells);
                var cellClock = Stopwatch.StartNew();
                int count = ++executionCount;
                string kernel = cell.KernelName ?? defaultKernel;
                Exception? thrown;
                try
                {
                    var prepared = CellPreprocessor.Prepare(cell, defaultKernel);
                    kernel = prepared.Kernel;
                    if (stop.IsCancellationRequested)
                    {
                        thrown = new OperationCanceledException($"interrupted (Ctrl-C) before cell {cell.Number} ran; the cells before it ran and their outputs are kept");
                        interrupted = true;
                    }
                    else if (prepared.Kernel == CellPreprocessor.MarkdownKernel)
                    {
                        ShowMarkdown(prepared, outputs);
                        thrown = null;
                    }
                    else
                    {
                        (thrown, interrupted) = await RunWithinLimits(session, prepared, outputs, cell.Number, cellLimit, stop);
                    }
                }
                catch (NotebookDirectiveException e)
                {
                    thrown = e;
                }
                if (thrown != null)
                {
                    error = CellError.From(thrown);
                    outputs.AddError(error);
                    failed = cell.Number;
                }
                runs.Add(new CellRun(cell, kernel, outputs, count, thrown == null ? CellStatus.Ran : CellStatus.Failed, cellClock.Elapsed.TotalSeconds));
            }
        }
        finally
        {
            Directory.SetCurrentDirectory(previousDirectory);
        }
        return new NotebookResult(notebook, runs, failed, error, clock.Elapsed.TotalSeconds, started, profile, interrupted);
    }

    /// <summary>
    /// Runs one cell until it ends, its time limit passes or <paramref name="stop"/> is cancelled;
    /// returns what stopped it (null when it ran) and whether that was an interruption.
    /// </summary>
    static async Task<(Exception? Thrown, bool Interrupted)> RunWithinLimits(ScriptSession session, PreparedCell prepared,
        CellOutputs outputs, int number, TimeSpan? limit, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        var cell = Task.Run(() => session.RunAsync(prepared, outputs, number));
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var deadline = Task.Delay(limit ?? Timeout.InfiniteTimeSpan, wait.Token);
        if (await Task.WhenAny(cell, deadline) == cell)
        {
            wait.Cancel();
            return (await cell, false);
        }
        // Abandoned: its report keeps what it made so far; whatever it writes later is dropped.
        outputs.Freeze();
        var seconds = clock.Elapsed.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
        return stop.IsCancellationRequested
            ? (new OperationCanceledException($"interrupted (Ctrl-C) while cell {number} ran, after {seconds} s; the cells before it ran and their outputs are kept"), true)
            : (new TimeoutException($"cell {number} did not finish within {limit!.Value.TotalSeconds:0.##} s (the cell time limit, --cell-timeout or {CellTimeoutVariable}); " +
                                    "the notebook stopped here. Raise the limit if the cell needs longer."), false);
    }

    /// <summary>Environment variable with the default per-cell time limit in seconds.</summary>
    public const string CellTimeoutVariable = "WORKBOOK_CELL_TIMEOUT";

    /// <summary>A #!markdown code cell shows its text rendered, as Polyglot's markdown kernel does.</summary>
    static void ShowMarkdown(PreparedCell cell, CellOutputs outputs) =>
        outputs.AddDisplay(new MimeBundle()
            .Set("text/html", Markdown.RenderHtml(cell.Code.Trim('\n')))
            .Set("text/plain", cell.Code.Trim('\n')));

    /// <summary>The kernel of cells whose metadata names none: the notebook's default, else C#.</summary>
    public static string DefaultKernel(Notebook notebook) =>
        (string?)notebook.Json["metadata"]?["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"] ?? CellPreprocessor.CSharp;
}
