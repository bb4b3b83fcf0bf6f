using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;

namespace Workbook.Tests;

/// <summary>
/// Every study notebook run unchanged in the real .NET Interactive kernel, the one VS Code's Polyglot
/// Notebooks starts, through dotnet-repl (pinned in .config/dotnet-tools.json), under the smoke
/// profile, in name order, sharing one empty run cache (notebook 06 reuses a run of 05), as a user's
/// "Run All" does: no WORKBOOK_ROOT, no native-library variables.
/// </summary>
public sealed class KernelSmokeRun
{
    /// <summary>What dotnet-repl did with one notebook.</summary>
    public sealed record Result(string Notebook, int ExitCode, string Console, double Seconds, string Output);

    /// <summary>Longest one notebook may take in the kernel (notebook 05 takes about a minute and a half on 2 cores).</summary>
    static readonly TimeSpan PerNotebook = TimeSpan.FromMinutes(10);

    public string Root { get; } = Runtime.WorkbookPaths.Root;
    public IReadOnlyDictionary<string, Result> Results { get; }
    /// <summary>Why the kernel could not be started at all (tool restore failed), or null.</summary>
    public string? SetupFailure { get; }

    public KernelSmokeRun()
    {
        var temp = Directory.CreateTempSubdirectory("kernel-smoke").FullName;
        var notebooks = Path.Combine(Root, "notebooks");
        var results = new Dictionary<string, Result>();
        Results = results;
        // `dotnet test` from a fresh clone must work as written: restore the pinned tools first (quick when done).
        var restore = Run(["tool", "restore"], Root, TimeSpan.FromMinutes(5), null);
        if (restore.ExitCode != 0)
        {
            SetupFailure = $"dotnet tool restore exited {restore.ExitCode}:\n{restore.Console}";
            return;
        }
        var environment = new Dictionary<string, string?>
        {
            ["WORKBOOK_PROFILE"] = "smoke",
            ["WORKBOOK_RUNS_DIR"] = Path.Combine(temp, "runs"),
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
            results[name] = new Result(name, run.ExitCode, run.Console, run.Seconds, output);
        }
    }

    static (int ExitCode, string Console, double Seconds) Run(IEnumerable<string> args, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>())
            if (v == null) start.Environment.Remove(k); else start.Environment[k] = v;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"killed after {timeout.TotalMinutes:F0} minutes: dotnet {string.Join(' ', args)}", clock.Elapsed.TotalSeconds);
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result, clock.Elapsed.TotalSeconds);
    }
}

/// <summary>The runner's smoke run and the kernel's, side by side.</summary>
[CollectionDefinition(Name)]
public sealed class SmokeNotebooksCollection : ICollectionFixture<NotebookSmokeRun>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "smoke notebooks (runner and kernel)";
}

[Collection(SmokeNotebooksCollection.Name)]
public sealed class KernelTests(NotebookSmokeRun runner, KernelSmokeRun kernel) : IClassFixture<KernelSmokeRun>
{
    public static TheoryData<string> Notebooks => new(NotebookSmokeTests.Notebooks.Select(n => (string)n[0]));

    KernelSmokeRun.Result KernelResult(string notebook)
    {
        Assert.True(kernel.SetupFailure == null, kernel.SetupFailure);
        Assert.True(kernel.Results.TryGetValue(notebook, out var result), $"{notebook} was not run in the kernel");
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
        var differences = inRunner.Zip(inKernel, (r, k) => (r.Index, r.FirstLine, Runner: CellOutputKinds.Of(r.Outputs), Kernel: CellOutputKinds.Of(k.Outputs)))
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
