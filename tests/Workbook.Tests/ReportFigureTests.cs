using Workbook.Cli.Runner.Html;
using Xunit;

namespace Workbook.Tests;

/// <summary>
/// Every Plotly figure of every report of the smoke run, opened in the system Chromium in a
/// 1400-pixel window, as a reader sees it: drawn, inside the report column, one legend entry and one
/// colour per series, annotations inside their own subplot and not stacked on each other, colour bars
/// inside the figure and off the plots, a title over every panel.
/// </summary>
[Collection(NotebookSmokeCollection.Name)]
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
