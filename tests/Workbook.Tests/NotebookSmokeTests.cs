using System.Text.Json.Nodes;
using Workbook.Reporting;
using Xunit;

namespace Workbook.Tests;

/// <summary>
/// Every study notebook in notebooks/, run top to bottom by the real <c>workbook run</c> under the
/// smoke profile, in a process of its own, with an empty run cache (so every model trains).
/// </summary>
public sealed class NotebookSmokeRun
{
    public string Root { get; } = Runtime.WorkbookPaths.Root;
    public string Out { get; }
    public int ExitCode { get; }
    public string Console { get; }
    public double Seconds { get; }
    /// <summary>The run cache the run filled (KernelTests' kernel run loads these runs).</summary>
    public string Runs { get; }

    public NotebookSmokeRun()
    {
        var temp = Directory.CreateTempSubdirectory("notebook-smoke").FullName;
        Out = Path.Combine(temp, "reports");
        Runs = Path.Combine(temp, "runs");
        var run = WorkbookProcess.Run(["run", "--profile", "smoke", "--out", Out], Root, TimeSpan.FromMinutes(20),
            new Dictionary<string, string> { ["WORKBOOK_RUNS_DIR"] = Runs });
        (ExitCode, Console, Seconds) = (run.ExitCode, run.Console, run.Seconds);
    }
}

// The runner's run is shared with KernelTests, which compares the kernel's outputs with it.
[Collection(SmokeNotebooksCollection.Name)]
public sealed class NotebookSmokeTests(NotebookSmokeRun run)
{
    /// <summary>The notebooks and the claim ids each must report (from the seeds' index).</summary>
    public static readonly TheoryData<string, string> Notebooks = new()
    {
        { "01-shallow-vs-deep", "C000-1 C000-2 C000-3 C000-4 C000-5 C000-6 C000-7 C000-8 C000-9" },
        { "02-regularization", "C001-1 C001-2 C001-3 C001-4 C001-5 C001-6 C001-7" },
        { "03-three-layer-from-scratch", "C003-1 C003-2 C003-3 C003-4 C003-5 C003-6 C003-7" },
        { "04-cnn-baseline-vs-better", "C004-1 C004-2 C004-3 C004-4" },
        { "05-five-class-cnn-ablations", "C002-1 C002-2 C002-3 C002-4 C002-5 C002-6 C002-7 C002-8" },
        { "06-latent-clustering", "C002-10" },
        { "07-googlenet-resnet", "C002-9" },
    };

    [Fact]
    public void Every_notebook_runs_under_the_smoke_profile()
    {
        Assert.True(run.ExitCode == 0, $"workbook run exited {run.ExitCode}:\n{run.Console}");
        var notebooks = Directory.GetFiles(Path.Combine(run.Root, "notebooks"), "*.ipynb").Select(Path.GetFileNameWithoutExtension).Order().ToArray();
        Assert.Equal(Notebooks.Select(n => (string)n[0]).Order(), notebooks);
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Notebook_has_no_error_output_and_reports_every_claim_of_its_report(string notebook, string claimIds)
    {
        var executed = JsonNode.Parse(File.ReadAllText(Path.Combine(run.Out, notebook + ".ipynb")))!;
        var outputs = executed["cells"]!.AsArray().SelectMany(c => c!["outputs"]?.AsArray() ?? []).ToList();
        Assert.DoesNotContain(outputs, o => (string?)o!["output_type"] == "error");
        Assert.True(File.Exists(Path.Combine(run.Out, notebook + ".html")));

        var claims = ClaimsTable.Load(Path.Combine(run.Out, notebook + ".claims.json"));
        Assert.Equal("smoke", claims.Profile);
        Assert.Equal(claimIds.Split(' '), claims.Claims.Select(c => c.Id));
        // A smoke run never judges a claim.
        Assert.All(claims.Claims, c => Assert.Contains(c.Verdict, new[] { Verdict.NotJudged, Verdict.NotComparable }));
        // Every id is documented on the report's page.
        var page = File.ReadAllText(Path.Combine(run.Root, "papers", claims.Report + ".md"));
        Assert.All(claims.Claims, c => Assert.Contains(c.Id, page));
    }
}
