using Workbook.Cli.Runner.Html;
using Xunit;

namespace Workbook.Tests;

/// <summary>
/// Every Plotly figure of every report of the smoke run, opened in the system Chromium in a
/// 1400-pixel window, as a reader sees it: drawn, inside the report column, one legend entry and one
/// colour per series, annotations inside their own subplot and not stacked on each other, colour bars
/// inside the figure and off the plots, a title over every panel.
/// </summary>
[Collection(SmokeNotebooksCollection.Name)]
public sealed class ReportFigureTests(NotebookSmokeRun run)
{
    [Fact]
    public async Task Every_figure_of_every_report_reads_right_in_a_browser()
    {
        Assert.True(run.ExitCode == 0, $"workbook run exited {run.ExitCode}:\n{run.Console}");
        var pages = NotebookSmokeTests.Notebooks.Select(n => Path.Combine(run.Out, (string)n[0] + ".html")).ToList();
        await using var browser = await ReportBrowser.LaunchAsync();
        var problems = new List<string>();
        int figures = 0;
        foreach (var page in pages)
        {
            await using var report = await browser.OpenAsync(page, TimeSpan.FromSeconds(60));
            figures += report.Check.Figures.Count;
            problems.AddRange(report.Check.Problems);
        }
        // Every notebook draws figures; a page with none would make the checks above pass for nothing.
        Assert.True(figures >= 20, $"only {figures} figures in {pages.Count} reports");
        Assert.True(problems.Count == 0, $"{problems.Count} problem(s) in {figures} figures:\n" + string.Join("\n", problems));
    }
}

/// <summary><c>workbook screenshots</c>: its mistakes are usage errors, said before a browser starts.</summary>
public sealed class ScreenshotsCommandTests
{
    [Theory]
    [InlineData("no --reports", "--out", "shots")]
    [InlineData("no such folder", "--reports", "/no/such/reports", "--out", "shots")]
    [InlineData("unknown option", "--reports", ".", "--out", "shots", "--frobnicate", "1")]
    [InlineData("a folder without reports", "--reports", "EMPTY", "--out", "shots")]
    [InlineData("no time to draw", "--reports", ".", "--out", "shots", "--timeout", "0")]
    public void Usage_errors_say_what_is_wrong(string what, params string[] args)
    {
        var empty = Directory.CreateTempSubdirectory("no-reports").FullName;
        try
        {
            var e = Assert.Throws<Workbook.Cli.Commands.UsageException>(() =>
                Workbook.Cli.Commands.ScreenshotsCommand.Run(args.Select(a => a == "EMPTY" ? empty : a).ToArray()));
            Assert.False(string.IsNullOrWhiteSpace(e.Message), what);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public void Help_names_both_folders()
    {
        Assert.Equal(0, Workbook.Cli.Commands.ScreenshotsCommand.Run(["--help"]));
        Assert.Contains("--reports DIR", Workbook.Cli.Commands.ScreenshotsCommand.Help);
        Assert.Contains("--out DIR", Workbook.Cli.Commands.ScreenshotsCommand.Help);
    }
}
