using Workbook.Runtime;
using System.Globalization;
using System.Text;
using Workbook.Reporting;
using static Workbook.Cli.Runner.Html.HtmlPage;

namespace Workbook.Cli.Runner.Html;

/// <summary>
/// Writes reports/index.html: every notebook's latest run (status, time, profile, date, link to its
/// report) and the claims-vs-reproduction scorecard gathered from the reports/*.claims.json files
/// the study notebooks write.
/// </summary>
public static class IndexWriter
{
    static readonly Verdict[] verdicts = Enum.GetValues<Verdict>();

    /// <summary>The page for these runs and the claims files in <paramref name="reportsFolder"/>.</summary>
    public static string ToHtml(TimingsFile timings, string reportsFolder)
    {
        var body = new StringBuilder();
        body.Append("<header class=\"page\"><h1>Workbook reports</h1><div class=\"meta\">")
            .Append($"updated {timings.Generated.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC")
            .Append(timings.Notebooks.FirstOrDefault() is { } any ? $" &middot; {any.Machine.Cores} cores, {E(any.Machine.Os)}" : "")
            .Append("</div></header>\n<main>\n<h2>Notebooks</h2>\n");
        Runs(body, timings.Notebooks, reportsFolder);
        body.Append("<h2>Claims vs reproduction</h2>\n");
        Claims(body, reportsFolder);
        body.Append("</main>");
        return Build("Workbook reports", body.ToString());
    }

    /// <summary>Writes the page atomically.</summary>
    public static void Write(TimingsFile timings, string reportsFolder) =>
        AtomicFile.WriteAllText(Path.Combine(reportsFolder, "index.html"), ToHtml(timings, reportsFolder));

    static void Runs(StringBuilder body, IReadOnlyList<RunRecord> runs, string reportsFolder)
    {
        if (runs.Count == 0)
        {
            body.Append("<p class=\"muted\">No notebook has been run yet: <code>dotnet run --project tools/Workbook -- run</code>.</p>\n");
            return;
        }
        body.Append("<table class=\"list\"><thead><tr><th>notebook</th><th>status</th><th class=\"num\">cells</th><th class=\"num\">run time</th><th>profile</th><th>date (UTC)</th><th>note</th></tr></thead><tbody>\n");
        foreach (var r in runs)
        {
            var hasReport = File.Exists(Path.Combine(reportsFolder, r.Notebook + ".html"));
            var name = hasReport ? $"<a href=\"{E(Uri.EscapeDataString(r.Notebook))}.html\">{E(r.Notebook)}</a>" : E(r.Notebook);
            var note = r.FailedCell is { } c ? $"cell {c}: {r.Error}" : r.Error ?? "";
            body.Append($"<tr><td>{name}</td><td>{Badge(r.Status)}</td><td class=\"num\">{r.Cells}/{r.CodeCells}</td>")
                .Append($"<td class=\"num\">{E(ConsoleReporter.Seconds(r.Seconds))}</td><td>{E(r.Profile)}</td>")
                .Append($"<td>{r.Date.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}</td><td class=\"wrap\">{E(note)}</td></tr>\n");
        }
        body.Append("</tbody></table>\n");
    }

    static void Claims(StringBuilder body, string reportsFolder)
    {
        var files = new List<ClaimsFile>();
        var unreadable = new List<string>();
        foreach (var path in Directory.Exists(reportsFolder) ? Directory.GetFiles(reportsFolder, "*.claims.json").Order(StringComparer.Ordinal).ToArray() : [])
        {
            try { files.Add(ClaimsTable.Load(path)); }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException or IOException)
            {
                unreadable.Add($"{Path.GetFileName(path)}: {e.Message}");
            }
        }
        if (files.Count == 0)
            body.Append("<p class=\"muted\">No claims yet: study notebooks write reports/&lt;notebook&gt;.claims.json when they end with a claims table.</p>\n");
        else
        {
            body.Append("<table class=\"list\"><thead><tr><th>notebook</th><th>report</th><th>profile</th>");
            foreach (var v in verdicts) body.Append($"<th class=\"num\">{E(ClaimsTable.Words(v))}</th>");
            body.Append("<th class=\"num\">claims</th></tr></thead><tbody>\n");
            foreach (var f in files)
            {
                body.Append($"<tr><td>{Link(f.Notebook, reportsFolder)}</td><td>{E(f.Report)}</td><td>{E(f.Profile)}</td>");
                foreach (var v in verdicts) body.Append($"<td class=\"num\">{f.Claims.Count(c => c.Verdict == v)}</td>");
                body.Append($"<td class=\"num\">{f.Claims.Count}</td></tr>\n");
            }
            body.Append("<tr class=\"total\"><td>all</td><td></td><td></td>");
            foreach (var v in verdicts) body.Append($"<td class=\"num\">{files.Sum(f => f.Claims.Count(c => c.Verdict == v))}</td>");
            body.Append($"<td class=\"num\">{files.Sum(f => f.Claims.Count)}</td></tr>\n</tbody></table>\n");
            foreach (var f in files) Rows(body, f);
        }
        foreach (var u in unreadable) body.Append($"<p class=\"muted\">Could not read {E(u)}</p>\n");
    }

    static void Rows(StringBuilder body, ClaimsFile f)
    {
        body.Append($"<details><summary>{E(f.Notebook)}: {f.Claims.Count} claims of report {E(f.Report)} ({E(f.Profile)} profile, {f.GeneratedUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC)</summary>\n")
            .Append("<table class=\"list\"><thead><tr><th>id</th><th>claim</th><th>paper</th><th>measured</th><th>tolerance</th><th>verdict</th><th>note</th></tr></thead><tbody>\n");
        foreach (var c in f.Claims)
            body.Append($"<tr><td>{E(c.Id)}</td><td class=\"wrap\">{E(c.Claim)}</td><td>{E(c.Paper)}</td><td>{E(c.Measured)}</td><td>{E(c.Tolerance)}</td><td>{E(ClaimsTable.Words(c.Verdict))}</td><td class=\"wrap\">{E(c.Note)}</td></tr>\n");
        body.Append("</tbody></table></details>\n");
    }

    static string Link(string notebook, string reportsFolder) =>
        File.Exists(Path.Combine(reportsFolder, notebook + ".html"))
            ? $"<a href=\"{E(Uri.EscapeDataString(notebook))}.html\">{E(notebook)}</a>"
            : E(notebook);
}
