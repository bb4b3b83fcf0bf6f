using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Workbook.Data;
using Xunit;

namespace Workbook.Tests.Runner;

/// <summary>
/// Issue 17, items 1, 8 and 9: `workbook run` and `workbook train` against an unwritable report
/// folder, a runaway cell, Ctrl-C, and bad arguments. Each runs the real command as a process.
/// </summary>
public sealed class InterruptionTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("wb-interrupt").FullName;
    public void Dispose() { try { Directory.Delete(dir, true); } catch (IOException) { } }

    /// <summary>Writes a notebook of C# code cells; returns its path.</summary>
    string Notebook(string name, params string[] cells)
    {
        var notebook = new JsonObject
        {
            ["cells"] = new JsonArray(cells.Select(c => (JsonNode)new JsonObject
            {
                ["cell_type"] = "code", ["execution_count"] = null, ["metadata"] = new JsonObject(),
                ["outputs"] = new JsonArray(), ["source"] = c,
            }).ToArray()),
            ["metadata"] = new JsonObject(),
            ["nbformat"] = 4,
            ["nbformat_minor"] = 4,
        };
        var path = Path.Combine(dir, name + ".ipynb");
        File.WriteAllText(path, notebook.ToJsonString());
        return path;
    }

    static WorkbookProcess Workbook(TimeSpan timeout, IReadOnlyDictionary<string, string>? env, params string[] args) =>
        WorkbookProcess.Run(args, Path.GetTempPath(), timeout, env);

    // Item 1: an --out that cannot be written is a usage error before anything runs (it was an
    // unhandled exception, exit 134, after the whole notebook had run).
    [Theory]
    [InlineData("/sys")]            // an existing folder nobody may write, root included
    [InlineData("/sys/kernel")]     // an existing read-only subfolder
    [InlineData("/sys/wb-reports")] // a folder that cannot be created
    [InlineData("FILE")]            // an existing file
    public void An_unwritable_out_folder_is_refused_before_the_notebook_runs(string outFolder)
    {
        if (!OperatingSystem.IsLinux()) return;
        if (outFolder == "FILE") File.WriteAllText(outFolder = Path.Combine(dir, "a-file"), "x");
        var notebook = Notebook("slow", "Console.WriteLine(\"the notebook ran\");\nSystem.Threading.Thread.Sleep(5000);");
        var run = Workbook(TimeSpan.FromMinutes(2), null, "run", notebook, "--profile", "smoke", "--out", outFolder);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--out", run.Console);
        Assert.Contains(outFolder, run.Console);
        Assert.DoesNotContain("Unhandled exception", run.Console);
        Assert.DoesNotContain("cell 1", run.Console); // refused before the notebook started
    }

    // Item 8: a cell that never ends is stopped by the per-cell time limit; its notebook gets its
    // reports (failed at that cell, with what the cell printed before the limit) and the next
    // notebook still runs. The limit covers compiling the cell too, hence 20 s on a loaded machine.
    [Fact]
    public void A_runaway_cell_is_stopped_by_the_cell_time_limit_and_the_next_notebook_runs()
    {
        var runaway = Notebook("a-runaway", "Console.WriteLine(\"cell 1 ran\");",
            "Console.WriteLine(\"before the loop\");\nwhile (true) { }", "Console.WriteLine(\"never\");");
        var next = Notebook("b-next", "Console.WriteLine(\"the next notebook ran\");");
        var outFolder = Path.Combine(dir, "reports");
        var run = Workbook(TimeSpan.FromMinutes(3), new Dictionary<string, string> { ["WORKBOOK_CELL_TIMEOUT"] = "20" },
            "run", runaway, next, "--profile", "smoke", "--out", outFolder);
        Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}:\n{run.Console}");
        Assert.Contains("a-runaway.ipynb failed at cell 2", run.Console);
        Assert.Contains("did not finish within 20 s", run.Console);
        var html = File.ReadAllText(Path.Combine(outFolder, "a-runaway.html"));
        Assert.Contains("cell 1 ran", html);
        Assert.Contains("before the loop", html);
        Assert.Contains("did not finish within 20 s", html);
        var executed = File.ReadAllText(Path.Combine(outFolder, "b-next.ipynb"));
        Assert.Contains("the next notebook ran", executed);
        Assert.DoesNotContain("before the loop", run.Console.Replace("Console.WriteLine(\"before the loop\")", "")); // not onto the terminal
    }

    /// <summary>
    /// "-INT", unless this process inherited SIGINT as ignored (a test run started in the background by a
    /// non-interactive shell, or under nohup): an ignored signal stays ignored across exec and .NET honours
    /// that, so no Ctrl-C could reach the runner; it then gets SIGTERM, which the same handler serves.
    /// </summary>
    static string InterruptSignal()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:"));
        ulong ignored = line is null ? 0 : Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16);
        return (ignored & (1UL << (2 - 1))) != 0 ? "-TERM" : "-INT";
    }

    // Item 8: Ctrl-C (SIGINT) during a cell keeps the reports written so far, writes a partial report
    // of the interrupted notebook, lists it in the index and exits 130.
    [Fact]
    public void Ctrl_C_keeps_finished_reports_and_writes_a_partial_report_of_the_interrupted_notebook()
    {
        if (!OperatingSystem.IsLinux()) return;
        var first = Notebook("a-first", "Console.WriteLine(\"the first notebook ran\");");
        var second = Notebook("b-second", "Console.WriteLine(\"second: cell 1 ran\");", "System.Threading.Thread.Sleep(-1);");
        var outFolder = Path.Combine(dir, "reports");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        foreach (var a in new[] { "exec", Path.Combine(AppContext.BaseDirectory, "workbook.dll"), "run", first, second, "--profile", "smoke", "--out", outFolder })
            start.ArgumentList.Add(a);
        start.Environment.Remove("WORKBOOK_CELL_TIMEOUT");
        start.Environment["WORKBOOK_ROOT"] = Runtime.WorkbookPaths.Root;
        using var process = Process.Start(start)!;
        var console = new StringBuilder();
        var sleeping = new ManualResetEventSlim();
        process.OutputDataReceived += (_, e) =>
        {
            lock (console) console.AppendLine(e.Data);
            if (e.Data?.Contains("Thread.Sleep(-1)") == true) sleeping.Set();
        };
        process.ErrorDataReceived += (_, e) => { lock (console) console.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            Assert.True(sleeping.Wait(TimeSpan.FromMinutes(2)), "the second notebook's endless cell never started:\n" + console);
            Thread.Sleep(1000); // inside the cell
            using (var kill = Process.Start("kill", [InterruptSignal(), process.Id.ToString()])) kill.WaitForExit();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "no exit within 60 s of Ctrl-C:\n" + console);
            process.WaitForExit();
        }
        finally { if (!process.HasExited) process.Kill(entireProcessTree: true); }
        Assert.True(130 == process.ExitCode, $"exit code {process.ExitCode}:\n{console}");
        Assert.Contains("the first notebook ran", File.ReadAllText(Path.Combine(outFolder, "a-first.html")));
        var partial = File.ReadAllText(Path.Combine(outFolder, "b-second.html"));
        Assert.Contains("second: cell 1 ran", partial);
        Assert.Contains("interrupted", partial);
        var index = File.ReadAllText(Path.Combine(outFolder, "index.html"));
        Assert.Contains("a-first", index);
        Assert.Contains("b-second", index);
        Assert.Empty(Directory.GetFiles(outFolder, ".*.tmp"));
    }

    // Item 9: bad values are usage errors (exit 2) found before any data is read. The data folder
    // named here does not exist, so a check that came after loading would report that instead.
    [Theory]
    [InlineData("--validation", "-1")]
    [InlineData("--validation", "1.5")]
    [InlineData("--lr", "nan")]
    [InlineData("--lr", "-1")]
    [InlineData("--subset", "0")]
    [InlineData("--l2", "-0.1")]
    [InlineData("--momentum", "infinity")]
    [InlineData("--epochs", "0")]
    [InlineData("--batch", "-5")]
    [InlineData("--l1", "-1")]
    [InlineData("--patience", "0")]
    [InlineData("--decay", "1.5")]
    [InlineData("--decay", "0")]
    [InlineData("--subset", "-3")]
    public void Bad_train_options_are_usage_errors_before_the_data_loads(string option, string value)
    {
        var run = Workbook(TimeSpan.FromMinutes(2), new Dictionary<string, string> { [FashionMnist.DirectoryVariable] = Path.Combine(dir, "no-data") },
            "train", "net2", option, value);
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Console}");
        Assert.Contains(option, run.Console);
        Assert.Matches(@"(use|takes) (a|one of) ", run.Console); // says what a good value is
        Assert.DoesNotContain("no-data", run.Console);
        Assert.DoesNotContain("JSON", run.Console);
        Assert.DoesNotContain("Unhandled exception", run.Console);
    }

    // Items 8 and 9: bad `run` numbers are usage errors before any notebook runs.
    [Theory]
    [InlineData("--cell-timeout", "0")]
    [InlineData("--cell-timeout", "-5")]
    [InlineData("--cell-timeout", "ten")]
    [InlineData("--cell-timeout", "nan")]
    [InlineData("--seeds", "0")]
    [InlineData("WORKBOOK_CELL_TIMEOUT", "-1")]
    public void Bad_run_options_are_usage_errors_before_any_notebook_runs(string option, string value)
    {
        var notebook = Notebook("quick", "Console.WriteLine(\"the notebook ran\");");
        var env = option.StartsWith("--") ? null : new Dictionary<string, string> { [option] = value };
        string[] args = option.StartsWith("--")
            ? ["run", notebook, "--profile", "smoke", "--out", Path.Combine(dir, "reports"), option, value]
            : ["run", notebook, "--profile", "smoke", "--out", Path.Combine(dir, "reports")];
        var run = Workbook(TimeSpan.FromMinutes(1), env, args);
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Console}");
        Assert.Contains(option, run.Console);
        Assert.Contains(value, run.Console);
        Assert.DoesNotContain("the notebook ran", run.Console);
        Assert.False(Directory.Exists(Path.Combine(dir, "reports")), "a refused run wrote a reports folder");
    }

    // Item 9: a cache entry whose weights vanished is reported, before it is trained again (main
    // already said so, through the entry's manifest check; this keeps it that way).
    [Fact]
    public void A_cache_entry_whose_weights_vanished_is_reported_before_it_is_retrained()
    {
        var runs = Path.Combine(dir, "runs");
        var env = new Dictionary<string, string> { ["WORKBOOK_RUNS_DIR"] = runs, ["WORKBOOK_RESULTS_DIR"] = Path.Combine(dir, "no-results") };
        string[] train = ["train", "net2", "--epochs", "1", "--subset", "256", "--validation", "0"];
        var first = Workbook(TimeSpan.FromMinutes(3), env, train);
        Assert.True(first.ExitCode == 0, first.Console);
        var entry = Assert.Single(Directory.GetDirectories(runs).Where(d => !Path.GetFileName(d).StartsWith('.')));
        var weights = Directory.GetFiles(entry).Where(f => Path.GetFileName(f) is not ("run.json" or "manifest.json")).ToList();
        Assert.NotEmpty(weights);
        foreach (var w in weights) File.Delete(w);

        var second = Workbook(TimeSpan.FromMinutes(3), env, train);
        Assert.True(second.ExitCode == 0, second.Console);
        var said = second.Console.IndexOf($"{Path.GetFileName(weights[0])} is missing", StringComparison.Ordinal);
        Assert.True(said >= 0, "the vanished weights were not reported:\n" + second.Console);
        Assert.Contains("trained again", second.Console);
        Assert.DoesNotContain("loaded from runs/", second.Console);
        Assert.True(File.Exists(weights[0]), "the entry was not trained and saved again");
    }

    // Item 9: `run` on a folder without notebooks ran nothing and exited 0.
    [Fact]
    public void Run_on_a_folder_without_notebooks_is_a_usage_error()
    {
        var empty = Directory.CreateDirectory(Path.Combine(dir, "empty")).FullName;
        var run = Workbook(TimeSpan.FromMinutes(1), null, "run", empty, "--out", Path.Combine(dir, "reports"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no notebooks", run.Console);
    }

    // Item 9: a data folder that does not exist is reported as such, not as one that "lacks" files.
    [Fact]
    public void A_missing_data_folder_is_reported_as_missing()
    {
        var missing = Path.Combine(dir, "no-such-folder");
        var e = Assert.Throws<DataException>(() => FashionMnist.LoadFrom(missing));
        Assert.Contains("does not exist", e.Message);
        var run = Workbook(TimeSpan.FromMinutes(1), new Dictionary<string, string> { [FashionMnist.DirectoryVariable] = missing }, "data", "--no-download");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{missing}, which does not exist", run.Console);
    }

    // Item 7: `train --fresh` stores of killed runs (SIGKILL or Ctrl-C skip any clean-up) are removed
    // by the next `train`, and a finished --fresh run leaves none of its own.
    [Fact]
    public void Train_fresh_leaves_no_store_behind_and_removes_those_of_killed_runs()
    {
        var temp = Directory.CreateDirectory(Path.Combine(dir, "tmp")).FullName;
        var killed = Directory.CreateDirectory(Path.Combine(temp, $"workbook-fresh-{HostileDataTests.DeadProcessId()}-0123456789abcdef")).FullName;
        var oldStyle = Directory.CreateDirectory(Path.Combine(temp, "workbook-freshAbC123")).FullName;
        Directory.SetLastWriteTimeUtc(oldStyle, DateTime.UtcNow.AddDays(-2));
        var run = Workbook(TimeSpan.FromMinutes(3), new Dictionary<string, string> { ["TMPDIR"] = temp },
            "train", "net2", "--fresh", "--epochs", "1", "--subset", "256", "--validation", "0");
        Assert.True(run.ExitCode == 0, run.Console);
        Assert.Empty(Directory.GetDirectories(temp, "workbook-fresh*"));
    }
}
