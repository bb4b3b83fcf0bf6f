using Workbook.Runtime;
using Workbook.Cli.Runner;
using Workbook.Cli.Runner.Html;

namespace Workbook.Cli.Commands;

/// <summary>
/// <c>workbook screenshots --reports DIR --out DIR</c>: opens every HTML report of a run in the system
/// Chromium and saves what a reader sees, the whole page and each figure on its own, so a person can
/// look at the charts without a browser; prints what the figure checks find.
/// </summary>
public static class ScreenshotsCommand
{
    /// <summary>The command's help text.</summary>
    public const string Help = """
        usage: workbook screenshots --reports DIR --out DIR [--chromium PATH] [--timeout SECONDS]

          --reports   a folder of reports written by `workbook run` (its *.html pages; index.html is left out)
          --out       where the PNG files go (created if missing)
          --chromium  the Chromium executable (default /usr/bin/chromium, Debian's chromium package)
          --timeout   seconds to wait for one page to load and draw its figures (default 60)

        Writes <out>/<report>.png (the whole page, 1400-pixel window) and <out>/<report>.figure-NN.png
        (each Plotly figure, NN counting from 01 in page order), and prints every figure with its cell
        and title and any problem the checks find: not drawn, wider than the report column, a legend
        name repeated, a series in two colours, an annotation outside its subplot or on top of another,
        a colour bar cut off or over a plot, a panel without a title; and code cells that scroll sideways.
        Exit code: 0 when every figure reads right, 1 when a check found a problem, 2 for a usage error.
        """;

    /// <summary>The one-line summary for `workbook --help`.</summary>
    public const string Usage = "workbook screenshots --reports DIR --out DIR   render every HTML report and its figures to PNG, check the figures";

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(string[] argv)
    {
        if (argv.Any(a => a is "-h" or "--help"))
        {
            Console.WriteLine(Help);
            return 0;
        }
        var args = new Args(argv);
        var reports = args.Get("reports") ?? throw new UsageException("--reports DIR is required (a folder written by `workbook run`)");
        var output = args.Get("out") ?? throw new UsageException("--out DIR is required (where the PNG files go)");
        var chromium = args.Get("chromium") ?? ReportBrowser.SystemChromium;
        var seconds = args.Int("timeout") ?? 60;
        // Playwright reads a timeout of 0 as "wait for ever".
        if (seconds < 1) throw new UsageException($"--timeout takes a number of seconds of at least 1, not {seconds}");
        var timeout = TimeSpan.FromSeconds(seconds);
        args.RejectUnknown();
        if (args.Positional.Count > 0) throw new UsageException($"unexpected argument '{args.Positional[0]}'");
        if (!Directory.Exists(reports)) throw new UsageException($"--reports {reports}: no such folder");
        var pages = Directory.GetFiles(reports, "*.html").Where(p => Path.GetFileName(p) != "index.html").Order(StringComparer.Ordinal).ToList();
        if (pages.Count == 0) throw new UsageException($"--reports {reports} holds no HTML report; run `workbook run --out {reports}` first");
        Directory.CreateDirectory(output);
        try
        {
            return Task.Run(() => RenderAsync(pages, output, chromium, timeout)).GetAwaiter().GetResult();
        }
        catch (FileNotFoundException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    static async Task<int> RenderAsync(IReadOnlyList<string> pages, string output, string chromium, TimeSpan timeout)
    {
        int problems = 0;
        await using var browser = await ReportBrowser.LaunchAsync(chromium);
        foreach (var file in pages)
        {
            var name = Path.GetFileNameWithoutExtension(file);
            await using var report = await browser.OpenAsync(file, timeout);
            AtomicFile.WriteAllBytes(Path.Combine(output, name + ".png"), await report.Page.ScreenshotAsync(new() { FullPage = true }));
            Console.WriteLine($"{name}.png");
            foreach (var error in report.Check.ConsoleErrors)
            {
                Console.WriteLine($"  console error: {error}");
                problems++;
            }
            foreach (var cell in report.Check.ScrollingCode)
            {
                Console.WriteLine($"  problem: {cell}: the code is wider than the page and scrolls sideways");
                problems++;
            }
            foreach (var figure in report.Check.Figures)
            {
                var png = $"{name}.figure-{figure.Number:D2}.png";
                AtomicFile.WriteAllBytes(Path.Combine(output, png), await report.Figures.Nth(figure.Number - 1).ScreenshotAsync());
                Console.WriteLine($"  {png}  {figure.Cell}  {figure.Title}");
                foreach (var problem in figure.Problems) Console.WriteLine($"    problem: {problem}");
                problems += figure.Problems.Count;
            }
        }
        Console.WriteLine(problems == 0 ? $"{pages.Count} reports, every figure reads right" : $"{pages.Count} reports, {problems} problem(s)");
        return problems == 0 ? 0 : 1;
    }
}
