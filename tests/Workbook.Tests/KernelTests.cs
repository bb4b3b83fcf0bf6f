using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;

namespace Workbook.Tests;

/// <summary>
/// Every study notebook run unchanged in the real .NET Interactive kernel, the one VS Code's Polyglot
/// Notebooks starts, through dotnet-repl (pinned in .config/dotnet-tools.json), under the smoke
/// profile, in name order, as a user's "Run All" does: no WORKBOOK_ROOT, no native-library variables.
/// The kernel uses the run cache that the runner's smoke run (<see cref="NotebookSmokeRun"/>) filled:
/// training is the runner tests' business, and loading runs keeps this second pass short; the kernel
/// still loads TorchSharp, the data and the models, and evaluates them, in every notebook.
/// </summary>
public sealed class KernelSmokeRun
{
    /// <summary>What dotnet-repl did with one notebook.</summary>
    public sealed record Result(string Notebook, int ExitCode, string Console, double Seconds, string Output);

    /// <summary>Longest one notebook may take in the kernel.</summary>
    static readonly TimeSpan PerNotebook = TimeSpan.FromMinutes(10);

    readonly object gate = new();
    Dictionary<string, Result>? results;
    string? setupFailure;

    public string Root { get; } = Runtime.WorkbookPaths.Root;

    /// <summary>Runs every notebook in the kernel once (later calls return the same results).</summary>
    /// <param name="runsDirectory">The run cache to use (WORKBOOK_RUNS_DIR).</param>
    /// <returns>The results by notebook name, and why the kernel could not be started at all, or null.</returns>
    public (IReadOnlyDictionary<string, Result> Results, string? SetupFailure) RunAll(string runsDirectory)
    {
        lock (gate)
        {
            if (results == null) (results, setupFailure) = Execute(runsDirectory);
            return (results, setupFailure);
        }
    }

    (Dictionary<string, Result>, string?) Execute(string runsDirectory)
    {
        var temp = Directory.CreateTempSubdirectory("kernel-smoke").FullName;
        var notebooks = Path.Combine(Root, "notebooks");
        var found = new Dictionary<string, Result>();
        // `dotnet test` from a fresh clone must work as written: restore the pinned tools first (quick when done).
        var restore = Run(["tool", "restore"], Root, TimeSpan.FromMinutes(5), null);
        if (restore.ExitCode != 0) return (found, $"dotnet tool restore exited {restore.ExitCode}:\n{restore.Console}");
        var environment = new Dictionary<string, string?>
        {
            ["WORKBOOK_PROFILE"] = "smoke",
            ["WORKBOOK_RUNS_DIR"] = runsDirectory,
            ["WORKBOOK_OUT"] = null,
            ["WORKBOOK_ROOT"] = null,
            ["LD_PRELOAD"] = null,
            ["LD_LIBRARY_PATH"] = null,
        };
        foreach (var file in Directory.GetFiles(notebooks, "*.ipynb").Order())
        {
            var name = Path.GetFileNameWithoutExtension(file);
            var output = Path.Combine(temp, name + ".ipynb");
            var run = Run(["dotnet-repl", "--run", file, "--exit-after-run", "--output-format", "ipynb", "--output-path", output],
                notebooks, PerNotebook, environment);
            found[name] = new Result(name, run.ExitCode, run.Console, run.Seconds, output);
            Console.WriteLine($"kernel: {name} exit {run.ExitCode} in {run.Seconds:F1} s");
        }
        return (found, null);
    }

    static (int ExitCode, string Console, double Seconds) Run(IEnumerable<string> args, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment)
    {
        var run = WorkbookProcess.Dotnet(args, workingDirectory, timeout, environment);
        return run.TimedOut
            ? (-1, $"killed after {timeout.TotalMinutes:F0} minutes: dotnet {string.Join(' ', args)}", run.Seconds)
            : (run.ExitCode, run.Console, run.Seconds);
    }
}

/// <summary>The runner's smoke run and the kernel's, side by side.</summary>
[CollectionDefinition(Name)]
public sealed class SmokeNotebooksCollection : ICollectionFixture<NotebookSmokeRun>, ICollectionFixture<KernelSmokeRun>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "smoke notebooks (runner and kernel)";
}

[Collection(SmokeNotebooksCollection.Name)]
public sealed class KernelTests(NotebookSmokeRun runner, KernelSmokeRun kernel)
{
    public static TheoryData<string> Notebooks => new(NotebookSmokeTests.Notebooks.Select(n => (string)n[0]));

    KernelSmokeRun.Result KernelResult(string notebook)
    {
        var (results, setupFailure) = kernel.RunAll(runner.Runs);
        Assert.True(setupFailure == null, setupFailure);
        Assert.True(results.TryGetValue(notebook, out var result), $"{notebook} was not run in the kernel");
        return result!;
    }

    static JsonNode Load(string path) => JsonNode.Parse(File.ReadAllText(path))!;

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Notebook_runs_in_the_kernel_without_error_output_and_draws_its_charts(string notebook)
    {
        var result = KernelResult(notebook);
        Assert.True(File.Exists(result.Output), $"dotnet-repl wrote no {result.Output} (exit {result.ExitCode}):\n{result.Console}");
        var cells = CellOutputKinds.CodeCells(Load(result.Output));
        var errors = cells.SelectMany(c => c.Outputs).Where(o => (string?)o["output_type"] == "error")
            .Select(o => $"{o["ename"]}: {o["evalue"]}").ToList();
        Assert.True(errors.Count == 0, $"{notebook} in the kernel:\n{string.Join("\n\n", errors)}");
        Assert.True(result.ExitCode == 0, $"dotnet-repl exited {result.ExitCode} on {notebook}:\n{result.Console}");
        Assert.Contains(cells, c => CellOutputKinds.Of(c.Outputs).Contains(CellOutputKind.Chart));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Kernel_and_runner_give_the_same_kinds_of_output_cell_by_cell(string notebook)
    {
        var result = KernelResult(notebook);
        Assert.True(runner.ExitCode == 0, $"workbook run exited {runner.ExitCode}:\n{runner.Console}");
        Assert.True(File.Exists(result.Output), $"dotnet-repl wrote no {result.Output} (exit {result.ExitCode}):\n{result.Console}");
        var inKernel = CellOutputKinds.CodeCells(Load(result.Output));
        var inRunner = CellOutputKinds.CodeCells(Load(Path.Combine(runner.Out, notebook + ".ipynb")));
        Assert.Equal(inRunner.Count, inKernel.Count);
        var runnerKinds = CellOutputKinds.PerCell(inRunner);
        var kernelKinds = CellOutputKinds.PerCell(inKernel);
        var differences = inRunner.Select((r, i) => (r.Index, r.FirstLine, Runner: runnerKinds[i], Kernel: kernelKinds[i]))
            .Where(c => !c.Runner.SequenceEqual(c.Kernel))
            .Select(c => $"code cell {c.Index} ({c.FirstLine}): runner [{string.Join(", ", c.Runner)}], kernel [{string.Join(", ", c.Kernel)}]")
            .ToList();
        Assert.True(differences.Count == 0, $"{notebook}:\n{string.Join("\n", differences)}");
    }
}

/// <summary>What a reader sees in an output, whoever made it.</summary>
public enum CellOutputKind { Text, Table, Chart, Image, Error }

/// <summary>Sorts executed-notebook outputs (nbformat 4) into <see cref="CellOutputKind"/>s.</summary>
public static class CellOutputKinds
{
    /// <summary>One code cell of an executed notebook.</summary>
    public sealed record CodeCell(int Index, string FirstLine, IReadOnlyList<JsonNode> Outputs);

    /// <summary>The code cells in order, numbered from 0.</summary>
    public static List<CodeCell> CodeCells(JsonNode notebook) =>
        notebook["cells"]!.AsArray().Select(c => c!).Where(c => (string?)c["cell_type"] == "code")
            .Select((c, i) => new CodeCell(i, Text(c["source"]).Split('\n')[0], c["outputs"]?.AsArray().Select(o => o!).ToList() ?? []))
            .ToList();

    /// <summary>
    /// The kinds of each cell's outputs (see <see cref="Of(IEnumerable{JsonNode})"/>), leaving out the
    /// updates of a live view shown in an earlier cell. The library's TrainingView is displayed once
    /// and updated by training in later cells: the runner replaces the output where it was shown,
    /// dotnet-repl appends each update to the cell running at the time. An update is recognised by
    /// the view's HTML up to its table (its class and title), already seen in an earlier cell.
    /// </summary>
    public static List<List<CellOutputKind>> PerCell(IReadOnlyList<CodeCell> cells)
    {
        var shownBefore = new HashSet<string>();
        var result = new List<List<CellOutputKind>>();
        foreach (var cell in cells)
        {
            var views = cell.Outputs.Select(LiveViewKey).OfType<string>().ToHashSet();
            result.Add(Of(cell.Outputs.Where(o => LiveViewKey(o) is not { } key || !shownBefore.Contains(key))));
            shownBefore.UnionWith(views);
        }
        return result;
    }

    static string? LiveViewKey(JsonNode output)
    {
        var html = Text(output["data"]?["text/html"]).TrimStart();
        if (!html.StartsWith("<div class=\"wb-training\">", StringComparison.Ordinal)) return null;
        int table = html.IndexOf("<table", StringComparison.Ordinal);
        return table < 0 ? html : html[..table];
    }

    /// <summary>
    /// The kinds of a cell's outputs in order, repeats in a row counted once: the kernel keeps each
    /// update of a live display (training progress) as an output of its own, the runner one output
    /// updated in place. The kernel's own notices (package installation, extension loading) are left out.
    /// </summary>
    public static List<CellOutputKind> Of(IEnumerable<JsonNode> outputs)
    {
        var kinds = new List<CellOutputKind>();
        foreach (var output in outputs)
            if (Of(output) is { } kind && (kinds.Count == 0 || kinds[^1] != kind)) kinds.Add(kind);
        return kinds;
    }

    /// <summary>The kind of one output, or null for the kernel's own notices.</summary>
    public static CellOutputKind? Of(JsonNode output)
    {
        switch ((string?)output["output_type"])
        {
            case "error": return CellOutputKind.Error;
            case "stream": return CellOutputKind.Text;
        }
        var data = output["data"]?.AsObject();
        if (data == null) return CellOutputKind.Text;
        var html = Text(data["text/html"]);
        var plain = Text(data["text/plain"]);
        // Plotly.NET.Interactive's html and the runner's both end in Plotly.newPlot; the runner also gives plotly's MIME type.
        if (data.ContainsKey("application/vnd.plotly.v1+json") || html.Contains("newPlot(", StringComparison.Ordinal)) return CellOutputKind.Chart;
        if (html.Contains("Installing Packages", StringComparison.Ordinal) || html.Contains("Installed Packages", StringComparison.Ordinal) ||
            plain.StartsWith("Loading extensions from", StringComparison.Ordinal)) return null;
        if (data.Select(d => d.Key).Any(m => m.StartsWith("image/", StringComparison.Ordinal)) || html.Contains("<img", StringComparison.Ordinal))
            return CellOutputKind.Image;
        if (IsTable(html)) return CellOutputKind.Table;
        return CellOutputKind.Text;
    }

    /// <summary>HTML whose first element is a table (the library's tables and claims; DataFrames in either formatter).</summary>
    static bool IsTable(string html)
    {
        var start = html.TrimStart();
        return start.StartsWith("<table", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Joins an nbformat multi-line string.</summary>
    static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonArray a => string.Concat(a.Select(l => (string?)l)),
        _ => (string?)node ?? "",
    };
}
