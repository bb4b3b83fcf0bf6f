using Workbook.Runtime;
using System.Globalization;
using System.Text;
using Workbook.Cli.Runner.Formatting;
using Workbook.Reporting;
using static Workbook.Cli.Runner.Html.HtmlPage;

namespace Workbook.Cli.Runner.Html;

/// <summary>
/// Writes reports/&lt;name&gt;.html: one self-contained page per executed notebook with its prose,
/// code and outputs. Charts are drawn by the copy of plotly.js that Plotly.NET embeds, put into the
/// page once, so the page needs no network at all.
/// </summary>
public static class HtmlReportWriter
{
    /// <summary>The page as text.</summary>
    public static string ToHtml(NotebookResult result)
    {
        var body = new StringBuilder();
        int charts = 0;
        var status = RunRecord.StatusOf(result);
        body.Append("<header class=\"page\"><h1>").Append(E(result.Notebook.Name)).Append("</h1><div class=\"meta\">")
            .Append(Badge(status))
            .Append($" &middot; {E(result.Profile)} profile &middot; {result.StartedUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC")
            .Append($" &middot; {result.CellsRun}/{result.CodeCells} code cells in {E(ConsoleReporter.Seconds(result.Seconds))}")
            .Append($" &middot; <a href=\"index.html\">all notebooks</a> &middot; <a href=\"{E(Uri.EscapeDataString(result.Notebook.Name))}.ipynb\">executed notebook</a>");
        if (!result.Succeeded)
            body.Append($"<br><strong>Stopped at cell {result.FailedCell}</strong>: {E(result.Error is { } e ? CellError.Summary(e) : "")}");
        body.Append("</div></header>\n<main>\n");

        foreach (var run in result.Cells)
        {
            switch (run.Cell.Kind)
            {
                case CellKind.Markdown:
                    body.Append("<section class=\"prose\">").Append(Markdown.RenderHtml(run.Cell.Source)).Append("</section>\n");
                    break;
                case CellKind.Raw:
                    break;
                default:
                    Code(body, run, ref charts);
                    break;
            }
        }
        if (result.Runs.Count > 0)
            body.Append("<section class=\"prose\"><h2>Where these numbers come from</h2></section>\n<div class=\"output\">")
                .Append(Workbook.Training.RunProvenanceTable.Of(result.Runs).ToHtml()).Append("</div>\n");
        body.Append("</main>\n");
        string head = "";
        if (charts > 0)
        {
            // plotly.js once in the head; each chart's figure sits in a JSON script element beside its div.
            head = "<script type=\"text/javascript\">" + PlotlyFormatter.PlotlyJs.Replace("</script", "<\\/script") + "</script>\n";
            body.Append("""
                <script type="text/javascript">
                document.querySelectorAll('div.wb-plotly').forEach(function (div) {
                  var figure = JSON.parse(document.getElementById(div.id + '-figure').textContent);
                  Plotly.newPlot(div, figure.data, figure.layout, figure.config);
                });
                </script>
                """);
        }
        return Build($"{result.Notebook.Name} — workbook report", body.ToString(), head);
    }

    /// <summary>Writes the page atomically.</summary>
    public static void Write(NotebookResult result, string path) => AtomicFile.WriteAllText(path, ToHtml(result));

    static void Code(StringBuilder body, CellRun run, ref int charts)
    {
        if (run.Kernel == CellPreprocessor.MarkdownKernel && run.Status == CellStatus.Ran)
        {
            // A #!markdown cell reads as prose, as it shows in VS Code.
            var text = string.Join("\n", run.Cell.Source.Split('\n').Where(l => !l.TrimStart().StartsWith("#!", StringComparison.Ordinal)));
            body.Append("<section class=\"prose\">").Append(Markdown.RenderHtml(text)).Append("</section>\n");
            return;
        }
        var css = run.Status switch { CellStatus.Failed => "cell failed", CellStatus.NotRun => "cell notrun", _ => "cell" };
        var label = run.ExecutionCount is { } n ? $"[{n}]" : "[ ]";
        var note = run.Status switch
        {
            CellStatus.Failed => "failed",
            CellStatus.NotRun => "not run",
            _ => ConsoleReporter.Seconds(run.Seconds),
        };
        body.Append($"<section class=\"{css}\" id=\"cell-{run.Cell.Number}\"><div class=\"head\"><span>{label} cell {run.Cell.Number}</span><span>{E(note)}</span></div>")
            .Append("<pre class=\"code\"><code>").Append(CodeHighlighter.Highlight(run.Cell.Source.TrimEnd())).Append("</code></pre>");
        var outputs = run.Outputs.Items;
        if (outputs.Count > 0)
        {
            body.Append("<div class=\"outputs\">");
            foreach (var output in outputs) Output(body, output, ref charts);
            body.Append("</div>");
        }
        body.Append("</section>\n");
    }

    static void Output(StringBuilder body, CellOutput output, ref int charts)
    {
        switch (output)
        {
            case StreamOutput s:
                body.Append($"<pre class=\"stream {s.Name}\">").Append(E(s.Text)).Append("</pre>");
                break;
            case ErrorOutput e:
                // A bold first line (type and message), then the rest of the trace without repeating it.
                var first = e.Value.Split('\n')[0];
                var trace = e.Traceback.ToList();
                var header = trace.Count > 0 && trace[0].StartsWith(e.Name, StringComparison.Ordinal) ? trace[0] : $"{e.Name}: {first}";
                var rest = trace.Where((line, i) => !(i == 0 && (line == header || line == first)));
                body.Append("<pre class=\"error\"><strong>").Append(E(header)).Append("</strong>\n")
                    .Append(E(string.Join("\n", rest))).Append("</pre>");
                break;
            case DisplayOutput d:
                Display(body, d.Bundle, ref charts);
                break;
        }
    }

    /// <summary>The richest rendering this page can show without a network: chart, HTML, picture, text.</summary>
    static void Display(StringBuilder body, MimeBundle bundle, ref int charts)
    {
        if (bundle.Get(PlotlyFormatter.MimeType) is { } figure)
        {
            var id = $"chart-{++charts}";
            body.Append($"<div><div class=\"wb-plotly\" id=\"{id}\"></div><script type=\"application/json\" id=\"{id}-figure\">")
                .Append(PlotlyFormatter.ScriptSafe(figure)).Append("</script></div>");
        }
        else if (bundle.Get("text/html") is { } html)
            body.Append("<div>").Append(html).Append("</div>");
        else if (bundle.Get("image/png") is { } png)
            body.Append($"<div><img alt=\"output\" src=\"data:image/png;base64,{png}\"></div>");
        else
            body.Append("<pre class=\"stream\">").Append(E(bundle.Get("text/plain"))).Append("</pre>");
    }
}
