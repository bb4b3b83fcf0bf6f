using System.Globalization;
using System.Text;
using System.Text.Json;
using Workbook.Cli.Runner;
using Workbook.Reporting;
using Workbook.Runtime;
using Workbook.Training;

namespace Workbook.Cli.Publishing;

/// <summary>results/&lt;notebook&gt;/notebook.json: the publishing run of one notebook.</summary>
/// <param name="Notebook">The notebook's name.</param>
/// <param name="Profile">The profile it ran under (paper).</param>
/// <param name="StartedUtc">When it started.</param>
/// <param name="Seconds">Its wall time in that run.</param>
/// <param name="Machine">Where it ran.</param>
/// <param name="Commit">The workbook's commit.</param>
/// <param name="Runs">Training runs it asked for.</param>
/// <param name="Trained">Of those, trained in that run.</param>
/// <param name="TrainingSeconds">Wall time of training all its runs, whenever they were trained (from their records).</param>
public sealed record NotebookPublication(string Notebook, string Profile, DateTime StartedUtc, double Seconds, string Machine,
    string Commit, int Runs, int Trained, double TrainingSeconds);

/// <summary>
/// The maintainer's publishing step (<c>workbook run --profile paper --publish</c>): after each notebook,
/// its claims and timing go to results/&lt;notebook&gt;/ beside the run records the cache published, and
/// README's scorecard and paper timings are generated from results/ (never from a user's plain run).
/// </summary>
public static class Publication
{
    /// <summary>The file names in a notebook's folder of results/.</summary>
    public const string ClaimsFileName = "claims.json", NotebookFileName = "notebook.json";

    static readonly JsonSerializerOptions Json = new(WorkbookJson.Records);

    /// <summary>Publishes one finished notebook: its claims (from the reports folder) and its timing.</summary>
    public static void PublishNotebook(NotebookResult result, string reportsFolder, string resultsRoot)
    {
        var folder = Path.Combine(resultsRoot, result.Notebook.Name);
        var claims = Path.Combine(reportsFolder, result.Notebook.Name + ".claims.json");
        if (File.Exists(claims)) AtomicFile.Copy(claims, Path.Combine(folder, ClaimsFileName));
        // Records of this notebook that its run no longer asked for (older code, changed settings) go: the
        // folder holds exactly the runs behind its published claims.
        var used = result.Runs.Select(r => r.Key).ToHashSet();
        foreach (var stale in Directory.Exists(folder) ? Directory.GetFiles(folder) : [])
        {
            var name = Path.GetFileName(stale);
            if (name.Length > 20 && name[20] == '.' && !used.Contains(name[..20])) File.Delete(stale);
        }
        var records = new PublishedResults(folder).RecordFiles().Select(PublishedResults.Read).ToList();
        var here = RunProvenance.Now(0);
        var publication = new NotebookPublication(result.Notebook.Name, result.Profile, result.StartedUtc, Math.Round(result.Seconds, 1),
            $"{here.Machine}, {here.Device}", here.Commit,
            result.Runs.Count, result.Runs.Count(r => r.Source == RunSource.Trained), Math.Round(records.Sum(r => r.Provenance.WallSeconds), 1));
        AtomicFile.WriteAllText(Path.Combine(folder, NotebookFileName), JsonSerializer.Serialize(publication, Json) + "\n");
    }

    /// <summary>The published claims files, by notebook name.</summary>
    public static IReadOnlyList<ClaimsFile> Claims(string resultsRoot) => Directory.Exists(resultsRoot)
        ? Directory.GetDirectories(resultsRoot).Order(StringComparer.Ordinal)
            .Select(d => Path.Combine(d, ClaimsFileName)).Where(File.Exists).Select(ClaimsTable.Load).ToList()
        : [];

    /// <summary>The published notebook timings.</summary>
    public static IReadOnlyList<NotebookPublication> Timings(string resultsRoot) => Directory.Exists(resultsRoot)
        ? Directory.GetDirectories(resultsRoot).Order(StringComparer.Ordinal)
            .Select(d => Path.Combine(d, NotebookFileName)).Where(File.Exists)
            .Select(f => JsonSerializer.Deserialize<NotebookPublication>(File.ReadAllText(f), Json)!).ToList()
        : [];

    /// <summary>README's scorecard: per report, how many claims got each verdict in the published paper run.</summary>
    public static string ScorecardMarkdown(string resultsRoot)
    {
        var files = Claims(resultsRoot).Where(f => f.Profile == "paper").ToList();
        if (files.Count == 0) return "_No paper-profile verdicts are published yet: `workbook run --profile paper --publish` makes them._";
        var verdicts = Enum.GetValues<Verdict>().Where(v => v != Verdict.NotJudged).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine("| report | notebook | " + string.Join(" | ", verdicts.Select(ClaimsTable.Words)) + " | claims | published |");
        sb.AppendLine("| --- | --- | " + string.Concat(verdicts.Select(_ => "---: | ")) + "---: | --- |");
        foreach (var byReport in files.GroupBy(f => f.Report).OrderBy(g => g.Key, StringComparer.Ordinal))
            foreach (var f in byReport)
            {
                var counts = verdicts.Select(v => f.Claims.Count(c => c.Verdict == v).ToString(CultureInfo.InvariantCulture));
                sb.AppendLine($"| [{f.Report}](papers/{f.Report}.md) | [{f.Notebook}](notebooks/{f.Notebook}.ipynb) | {string.Join(" | ", counts)} | " +
                              $"{f.Claims.Count} | {f.GeneratedUtc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} |");
            }
        var all = files.SelectMany(f => f.Claims).ToList();
        sb.AppendLine($"| **all** | {files.Count} notebooks | " + string.Join(" | ", verdicts.Select(v => all.Count(c => c.Verdict == v))) + $" | {all.Count} | |");
        // The claims no published run has judged yet, by the notebook that would judge them.
        var judged = all.Select(c => c.Id).ToHashSet();
        var open = ClaimRegistry.Default.All.Where(c => !judged.Contains(c.Id)).GroupBy(c => c.Notebook).ToList();
        if (open.Count > 0)
            sb.AppendLine().AppendLine($"Not judged yet ({open.Sum(g => g.Count())} of {ClaimRegistry.Default.All.Count} claims; " +
                "no published paper run of their notebook): " +
                string.Join("; ", open.Select(g => $"{string.Join(", ", g.Select(c => c.Id))} ([{g.Key}](notebooks/{g.Key}.ipynb))")) + ".");
        return sb.ToString();
    }

    /// <summary>README's paper timings: per published notebook, its run and the training behind it.</summary>
    public static string TimingsMarkdown(string resultsRoot)
    {
        var timings = Timings(resultsRoot).Where(t => t.Profile == "paper").ToList();
        if (timings.Count == 0) return "_No paper-profile run is published yet._";
        var sb = new StringBuilder();
        sb.AppendLine("| notebook | publishing run | runs (trained in it) | training time of its runs | machine | date |");
        sb.AppendLine("| --- | ---: | ---: | ---: | --- | --- |");
        foreach (var t in timings)
            sb.AppendLine($"| {t.Notebook} | {ConsoleReporter.Seconds(t.Seconds)} | {t.Runs} ({t.Trained}) | {ConsoleReporter.Seconds(t.TrainingSeconds)} | " +
                          $"{t.Machine} | {t.StartedUtc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} |");
        return sb.ToString();
    }

    /// <summary>
    /// A report page's measured figures (papers/NNN.md): per claim, the published paper verdict and what was measured,
    /// with the seed spread, so the page quotes the spread from runs, never a guess.
    /// </summary>
    public static string MeasurementsMarkdown(string resultsRoot, string report)
    {
        var files = Claims(resultsRoot).Where(f => f.Profile == "paper" && f.Report == report).ToList();
        if (files.Count == 0)
            return "_Not published yet: `workbook run --profile paper --publish` on this report's notebook writes them._";
        static string Cell(string s) => s.Replace("|", "\\|").Replace("\n", " ");
        var sb = new StringBuilder();
        sb.AppendLine("| claim | verdict | measured (mean ± std [range] over seeds) | seeds | notebook, published |");
        sb.AppendLine("| --- | --- | --- | ---: | --- |");
        foreach (var f in files)
            foreach (var c in f.Claims)
                sb.AppendLine($"| {c.Id} | {ClaimsTable.Words(c.Verdict)} | {Cell(c.Measured)} | {c.Seeds} | " +
                              $"{f.Notebook}, {f.GeneratedUtc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} |");
        return sb.ToString();
    }

    /// <summary>The README section names the publishing step writes, and the one in each report page.</summary>
    public const string ScorecardSection = "scorecard", PaperTimingsSection = "paper-timings", MeasurementsSection = "measured";

    /// <summary>The report pages that carry a measurements section: papers/NNN.md.</summary>
    public static IReadOnlyList<(string Report, string Path)> ReportPages(string papersFolder) => Directory.Exists(papersFolder)
        ? Directory.GetFiles(papersFolder, "*.md").Select(p => (Report: Path.GetFileNameWithoutExtension(p), Path: p))
            .Where(p => p.Report.Length == 3 && p.Report.All(char.IsAsciiDigit)).OrderBy(p => p.Report, StringComparer.Ordinal).ToList()
        : [];

    /// <summary>
    /// Regenerates README's scorecard and paper timings, and each report page's measurements, from results/; false
    /// when a section's markers are missing.
    /// </summary>
    public static bool WriteReadme(string resultsRoot, string? readmePath = null, string? papersFolder = null)
    {
        bool ok = ReadmeSection.Replace(ScorecardSection, ScorecardMarkdown(resultsRoot), readmePath)
                  & ReadmeSection.Replace(PaperTimingsSection, TimingsMarkdown(resultsRoot), readmePath);
        foreach (var (report, page) in ReportPages(papersFolder ?? Path.Combine(WorkbookPaths.Root, "papers")))
            ok &= ReadmeSection.Replace(MeasurementsSection, MeasurementsMarkdown(resultsRoot, report), page);
        return ok;
    }
}
