using System.Diagnostics;
using Microsoft.Playwright;
using Xunit;

namespace Workbook.Tests.Runner;

/// <summary>
/// The reports as other programs see them: Jupyter's own nbformat validator reads every executed
/// notebook, and a real browser (Debian's chromium, driven by Playwright) opens every HTML page
/// from disk.
/// </summary>
[Collection(RunnerCollection.Name)]
public sealed class ReportValidityTests(RunnerRun run)
{
    const string Python = "/usr/bin/python3"; // Debian's python, the one python3-nbformat installs into
    const string Chromium = "/usr/bin/chromium";

    [Fact]
    public void Every_executed_notebook_is_valid_nbformat()
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: apt-get install -y python3-nbformat");
        var notebooks = Directory.GetFiles(run.Out, "*.ipynb");
        Assert.Equal(RunnerRun.FixtureNames.Length + 1, notebooks.Length);
        foreach (var notebook in notebooks)
        {
            var start = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { "-c", "import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))", notebook })
                start.ArgumentList.Add(a);
            using var p = Process.Start(start)!;
            var error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"{Path.GetFileName(notebook)} is not valid nbformat:\n{error}");
        }
    }

    [Fact]
    public void A_broken_notebook_fails_the_validator()
    {
        // The validator test above could pass vacuously if python never checked anything.
        var broken = Path.Combine(run.Out, "..", "broken.ipynb");
        File.WriteAllText(broken, """{"cells":[{"cell_type":"code","source":"x"}],"metadata":{},"nbformat":4,"nbformat_minor":2}""");
        var start = new ProcessStartInfo(Python) { RedirectStandardError = true };
        foreach (var a in new[] { "-c", "import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))", broken })
            start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.NotEqual(0, p.ExitCode);
    }

    [Fact]
    public async Task Html_reports_draw_their_charts_offline_without_errors()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-quic"],
        });
        var pages = Directory.GetFiles(run.Out, "*.html").Order(StringComparer.Ordinal).ToList();
        Assert.Contains(pages, p => Path.GetFileName(p) == "index.html");
        Assert.Equal(RunnerRun.FixtureNames.Length + 2, pages.Count);
        foreach (var file in pages)
        {
            var name = Path.GetFileName(file);
            var page = await browser.NewPageAsync();
            var requests = new List<string>();
            var errors = new List<string>();
            page.Request += (_, r) => requests.Add(r.Url);
            page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
            page.PageError += (_, e) => errors.Add(e);
            await page.GotoAsync(new Uri(file).AbsoluteUri, new() { WaitUntil = WaitUntilState.Load });

            var charts = await page.Locator("div.wb-plotly").CountAsync();
            if (name == "runner-features.html")
            {
                Assert.Equal(2, charts);
                // plotly.js drew each chart: its SVG is there.
                await page.Locator("div.wb-plotly .main-svg").First.WaitForAsync(new() { Timeout = 15000 });
                Assert.Equal(2, await page.Locator("div.wb-plotly").Filter(new() { Has = page.Locator(".main-svg") }).CountAsync());
                Assert.Equal(1, await page.Locator("#html-helper").CountAsync());
                Assert.Equal(1, await page.Locator("table.wb-dataframe").CountAsync());
                Assert.Equal(1, await page.Locator("table.wb-table").CountAsync());
            }
            Assert.True(errors.Count == 0, $"{name}: console errors: {string.Join("; ", errors)}");
            var remote = requests.Where(u => !u.StartsWith("file:", StringComparison.Ordinal) && !u.StartsWith("data:", StringComparison.Ordinal)).ToList();
            Assert.True(remote.Count == 0, $"{name} made network requests: {string.Join(", ", remote)}");
            Assert.Contains(requests, u => u.StartsWith("file:", StringComparison.Ordinal)); // the recorder saw the page itself
            await page.CloseAsync();
        }
    }

    [Fact]
    public void Plotly_js_is_embedded_once_and_only_where_there_are_charts()
    {
        var features = File.ReadAllText(Path.Combine(run.Out, "runner-features.html"));
        // plotly.js states its version once; two charts, one copy.
        Assert.Equal(1, Count(features, "version=\"2.28.0\""));
        Assert.Equal(2, Count(features, "<script type=\"application/json\""));
        // The report draws from the figure JSON, never through the notebook's self-loading (CDN) HTML.
        Assert.DoesNotContain("requirejs.config", features);
        var error = File.ReadAllText(Path.Combine(run.Out, "runner-error.html"));
        Assert.DoesNotContain("<script", error);
    }

    static int Count(string text, string what)
    {
        int n = 0;
        for (int i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}
