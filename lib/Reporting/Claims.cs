using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Workbook.Runtime;
using Workbook.Statistics;

namespace Workbook.Reporting;

/// <summary>The outcome of comparing one claim of a report with the reproduction (rule: papers/README.md).</summary>
public enum Verdict
{
    /// <summary>Every figure, comparison and criterion of the claim holds, on the paper profile.</summary>
    Reproduced,
    /// <summary>At least half of the claim's checks hold (or nearly hold), not all.</summary>
    Close,
    /// <summary>The claimed difference is smaller than the seed noise: the runs cannot tell (never "reproduced").</summary>
    NotDistinguishable,
    /// <summary>Clearly different.</summary>
    NotReproduced,
    /// <summary>The reproduction cannot measure what the claim states (missing figure, different setup).</summary>
    NotComparable,
    /// <summary>
    /// Every figure of the claim was used to choose a setting of the reproduction (e.g. a learning-rate scale fitted
    /// to the report's table): shown beside the report's figures, never judged ("fitted, not a test").
    /// </summary>
    Fitted,
    /// <summary>A smoke or quick run: measured, but not judged, because the settings differ from the report's.</summary>
    NotJudged,
}

/// <summary>How one check of a claim came out.</summary>
public enum CheckOutcome
{
    /// <summary>The check holds (every seed, or the figure inside the widened seed interval).</summary>
    Holds,
    /// <summary>It nearly holds: the figure within twice the tolerance, or the criterion in most seeds but not all.</summary>
    Partly,
    /// <summary>A comparison whose difference from its threshold is within the seed noise.</summary>
    WithinNoise,
    /// <summary>It does not hold.</summary>
    Fails,
}

/// <summary>One judged check of a claim: what, how it came out, and the measurement as text.</summary>
public sealed record ClaimCheck(string What, CheckOutcome Outcome, string Measured);

/// <summary>
/// The verdict rule, in one place (papers/README.md states it in words). Every figure is a
/// <see cref="SeedSample"/>: one value per seed.
/// </summary>
public static class VerdictRule
{
    /// <summary>
    /// A figure of the report is reproduced when it lies inside the seed interval [min, max] widened by the
    /// tolerance, and nearly (partly) when it lies inside the interval widened by twice the tolerance. A bound
    /// ("≥ 1.5") holds when the widened interval reaches it. Diverged seeds are shown as diverged and never
    /// averaged in; unless the figure is itself a run that did not learn, a diverged seed keeps the figure
    /// from more than "partly".
    /// </summary>
    public static ClaimCheck Figure(ClaimFigure figure, SeedSample sample)
    {
        var (low, high) = figure.Claimed;
        string diverged = sample.NonFinite == 0 ? "" : $", {sample.NonFinite} of {sample.Count} seeds diverged";
        if (sample.Finite.Count == 0)
            return new(figure.What, figure.DivergedAgrees ? CheckOutcome.Holds : CheckOutcome.Fails,
                $"{figure.What}: diverged ({sample.Count} of {sample.Count} seeds)");
        bool Overlaps(double widen) => low <= sample.Max + widen && high >= sample.Min - widen;
        var outcome = Overlaps(figure.Tolerance) ? CheckOutcome.Holds : Overlaps(2 * figure.Tolerance) ? CheckOutcome.Partly : CheckOutcome.Fails;
        if (sample.NonFinite > 0 && !figure.DivergedAgrees && outcome == CheckOutcome.Holds) outcome = CheckOutcome.Partly;
        return new(figure.What, outcome, $"{figure.What}: {Describe(sample, figure.F, figure.Format)}{diverged}");
    }

    /// <summary>
    /// A comparison is judged on the means: d = mean(A) − mean(B) against the margin. The seed noise is the
    /// larger of the two seed standard deviations; when d lies within that noise of the margin, the runs cannot
    /// tell, and the check is <see cref="CheckOutcome.WithinNoise"/>. The text says in how many seeds
    /// (A's seed i against B's seed i) the relation holds. One seed measures no noise.
    /// </summary>
    public static ClaimCheck Compare(ClaimComparison c, SeedSample a, SeedSample b)
    {
        if (a.Finite.Count == 0 || b.Finite.Count == 0)
            return new(c.What, CheckOutcome.Fails, $"{c.What}: not measurable ({(a.Finite.Count == 0 ? "A" : "B")} diverged in every seed)");
        double d = a.Mean - b.Mean, noise = Math.Max(a.Std, b.Std);
        bool Holds(double x) => c.Relation switch
        {
            Relation.Greater => x > c.Margin,
            Relation.NotGreater => x <= c.Margin,
            _ => Math.Abs(x) < c.Margin,
        };
        double distance = c.Relation == Relation.Similar ? Math.Abs(Math.Abs(d) - c.Margin) : Math.Abs(d - c.Margin);
        var outcome = noise > 0 && distance <= noise ? CheckOutcome.WithinNoise : Holds(d) ? CheckOutcome.Holds : CheckOutcome.Fails;
        int n = Math.Min(a.Count, b.Count);
        int k = Enumerable.Range(0, n).Count(i => double.IsFinite(a.Values[i] - b.Values[i]) && Holds(a.Values[i] - b.Values[i]));
        string seeds = n == 1 ? "one seed: noise not measured" : $"seed noise ±{noise.ToString("0.00", CultureInfo.InvariantCulture)}; holds in {k} of {n} seeds";
        string rule = c.Relation switch { Relation.Greater => "> ", Relation.NotGreater => "≤ ", _ => "|d| < " };
        return new(c.What, outcome, $"{c.What}: {d.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture)}{c.Unit} " +
            $"(needs {rule}{c.Margin.ToString("0.##", CultureInfo.InvariantCulture)}; {seeds})");
    }

    /// <summary>A criterion checked once per seed: holds in every seed, partly in most, fails otherwise.</summary>
    public static ClaimCheck Part(ClaimPart part, IReadOnlyList<bool> perSeed)
    {
        if (perSeed.Count == 0) throw new ArgumentException($"criterion \"{part.What}\" needs one result per seed, got none");
        int k = perSeed.Count(h => h), n = perSeed.Count;
        var outcome = k == n ? CheckOutcome.Holds : 2 * k > n ? CheckOutcome.Partly : CheckOutcome.Fails;
        return new(part.What, outcome, n == 1 ? $"{part.What}: {(k == 1 ? "yes" : "no")}" : $"{part.What}: holds in {k} of {n} seeds");
    }

    /// <summary>
    /// The claim's verdict from its checks: reproduced when every check holds; not distinguishable when none
    /// fails or holds only partly but some comparison is within the seed noise; close when at least half of
    /// the checks hold at least partly; not reproduced otherwise.
    /// </summary>
    public static Verdict Combine(IReadOnlyList<ClaimCheck> checks)
    {
        if (checks.Count == 0) throw new ArgumentException("a claim needs at least one check");
        if (checks.All(c => c.Outcome == CheckOutcome.Holds)) return Verdict.Reproduced;
        if (checks.All(c => c.Outcome is CheckOutcome.Holds or CheckOutcome.WithinNoise)) return Verdict.NotDistinguishable;
        int good = checks.Count(c => c.Outcome is CheckOutcome.Holds or CheckOutcome.Partly);
        return 2 * good >= checks.Count ? Verdict.Close : Verdict.NotReproduced;
    }

    /// <summary>"mean ± std [min–max]" for several seeds, the value for one.</summary>
    public static string Describe(SeedSample s, Func<double, string> f, string format)
    {
        if (s.Finite.Count == 0) return $"diverged ({s.Count} of {s.Count} seeds)";
        if (s.Count == 1) return f(s.Values[0]);
        return $"{f(s.Mean)} ± {s.Std.ToString(format, CultureInfo.InvariantCulture)} [{f(s.Min)}–{f(s.Max)}]";
    }
}

/// <summary>One row of a claims table.</summary>
/// <param name="Id">The claim id.</param>
/// <param name="Claim">The claim's words (from papers/claims.json).</param>
/// <param name="Paper">The report's figure(s).</param>
/// <param name="Measured">What was measured: one entry per check.</param>
/// <param name="Tolerance">The tolerance or criterion (from papers/claims.json).</param>
/// <param name="Verdict">The verdict.</param>
/// <param name="Note">Context, the likely reason when it missed, and under smoke/quick what paper would read.</param>
/// <param name="Seeds">Seeds behind the measurement (the largest sample; 0 where nothing was measured).</param>
public sealed record ClaimRow(string Id, string Claim, string Paper, string Measured, string Tolerance, Verdict Verdict, string Note, int Seeds = 0)
{
    /// <summary>The verdict as words: reproduced, close, not distinguishable, not reproduced, not comparable, fitted, not judged.</summary>
    public string VerdictText => ClaimsTable.Words(Verdict);
}

/// <summary>The JSON a notebook writes beside its report (reports/&lt;notebook&gt;.claims.json).</summary>
public sealed record ClaimsFile(string Notebook, string Report, string Profile, DateTime GeneratedUtc, IReadOnlyList<ClaimRow> Claims);

/// <summary>
/// The "claims vs reproduction" table every study notebook ends with. The claims (words, the report's figures,
/// tolerances, reasons) come from papers/claims.json through <see cref="ClaimRegistry"/>; the notebook supplies
/// only measured values, one <see cref="SeedSample"/> per figure or comparison side and one result per seed per
/// criterion. <see cref="VerdictRule"/> judges. Only the paper profile judges; smoke and quick say "not judged"
/// and what they measured.
/// </summary>
public sealed class ClaimsTable(string notebook, string report, ClaimRegistry? registry = null) : RichOutput
{
    readonly List<ClaimRow> rows = new();
    // A smoke or quick run judges nothing: beside its own measurement it shows what the published paper run concluded.
    readonly List<(string Header, Func<ClaimRow, string> Cell)> columns =
        Profile.Current.IsPaper ? new() : new() { ("published paper verdict", PublishedColumn(notebook)) };
    readonly Profile profile = Profile.Current;

    static Func<ClaimRow, string> PublishedColumn(string notebook)
    {
        var published = PublishedVerdicts.For(notebook);
        return row => published.Describe(row.Id);
    }

    /// <summary>The claim definitions this table reads.</summary>
    public ClaimRegistry Registry { get; } = registry ?? ClaimRegistry.Default;
    /// <summary>The notebook's file name without extension, e.g. 01-shallow-vs-deep.</summary>
    public string Notebook { get; } = notebook;
    /// <summary>The report id, e.g. 000.</summary>
    public string Report { get; } = report;
    /// <summary>The rows, in the order added.</summary>
    public IReadOnlyList<ClaimRow> Rows => rows;
    /// <summary>The rows by claim id.</summary>
    public IReadOnlyDictionary<string, ClaimRow> ById => rows.ToDictionary(r => r.Id);

    /// <summary>
    /// Adds a column after "verdict" (e.g. the published paper-profile verdict beside a quick run); shown in
    /// the HTML and text forms, not saved in the claims file.
    /// </summary>
    public ClaimsTable AddColumn(string header, Func<ClaimRow, string> cell)
    {
        columns.Add((header, cell));
        return this;
    }

    /// <summary>A numeric claim: one sample per figure of the claim, in papers/claims.json's order.</summary>
    public ClaimsTable Numeric(string id, params SeedSample[] figures) => Judge(id, figures: figures);

    /// <summary>A comparison claim: one (A, B) pair per comparison of the claim, in order.</summary>
    public ClaimsTable Compare(string id, params (SeedSample A, SeedSample B)[] pairs) => Judge(id, comparisons: pairs);

    /// <summary>A criterion claim: for each part of the claim, in order, whether it holds in each seed.</summary>
    public ClaimsTable Criterion(string id, params IReadOnlyList<bool>[] parts) => Judge(id, parts: parts);

    /// <summary>
    /// Any claim: its figures, comparisons and criterion parts, each list in papers/claims.json's order and
    /// complete. <paramref name="measured"/> adds context to the measured column, <paramref name="note"/> to the note.
    /// </summary>
    /// <remarks>
    /// <paramref name="fittedFigures"/>: indexes of figures that were used to choose a setting of this reproduction
    /// (or that repeat such a figure). They are shown, marked "fitted, not a test", and left out of the verdict; a
    /// claim with nothing else to judge gets <see cref="Verdict.Fitted"/>.
    /// </remarks>
    public ClaimsTable Judge(string id, IReadOnlyList<SeedSample>? figures = null, IReadOnlyList<(SeedSample A, SeedSample B)>? comparisons = null,
        IReadOnlyList<IReadOnlyList<bool>>? parts = null, string measured = "", string note = "", IReadOnlyCollection<int>? fittedFigures = null)
    {
        var def = Definition(id);
        figures ??= []; comparisons ??= []; parts ??= []; fittedFigures ??= [];
        Expect(def, "figures", def.Figures.Count, figures.Count, def.Figures.Select(f => f.What));
        Expect(def, "comparisons", def.Comparisons.Count, comparisons.Count, def.Comparisons.Select(c => c.What));
        Expect(def, "criteria", def.Parts.Count, parts.Count, def.Parts.Select(p => p.What));
        if (fittedFigures.FirstOrDefault(i => i < 0 || i >= figures.Count, -1) is var bad and >= 0)
            throw new ArgumentException($"claim {id} has {figures.Count} figures; fitted figure index {bad} is outside 0..{figures.Count - 1}");
        var figureChecks = def.Figures.Zip(figures, VerdictRule.Figure).ToList();
        var otherChecks = def.Comparisons.Zip(comparisons, (c, p) => VerdictRule.Compare(c, p.A, p.B))
            .Concat(def.Parts.Zip(parts, VerdictRule.Part)).ToList();
        var checks = figureChecks.Where((_, i) => !fittedFigures.Contains(i)).Concat(otherChecks).ToList();
        int seeds = figures.Select(f => f.Count).Concat(comparisons.Select(p => Math.Min(p.A.Count, p.B.Count))).Concat(parts.Select(p => p.Count)).DefaultIfEmpty(0).Max();
        var verdict = checks.Count == 0 ? Verdict.Fitted : VerdictRule.Combine(checks);
        // Marked one by one only where some figures are still judged; otherwise the verdict says it.
        bool mark = checks.Count > 0;
        var shown = figureChecks.Select((c, i) => mark && fittedFigures.Contains(i) ? c.Measured + " (fitted, not a test)" : c.Measured)
            .Concat(otherChecks.Select(c => c.Measured));
        var text = string.Join("; ", shown);
        if (measured.Length > 0) text = $"{text}; {measured}";
        string reason = verdict is Verdict.Close or Verdict.NotReproduced or Verdict.NotDistinguishable ? def.IfNot : "";
        string fullNote = string.Join("; ", new[] { note, reason.Length > 0 ? "likely reason: " + reason : "" }.Where(s => s.Length > 0));
        var row = new ClaimRow(id, def.Claim, def.PaperText, text, def.Tolerance, verdict, fullNote, seeds);
        if (!profile.IsPaper)
        {
            var would = $"on the {profile} profile this would read \"{Words(row.Verdict)}\"; run the paper profile to judge";
            row = row with { Verdict = Verdict.NotJudged, Note = row.Note.Length == 0 ? would : $"{row.Note}; {would}" };
        }
        return Add(row);
    }

    /// <summary>
    /// A claim whose every figure was used to choose a setting (<paramref name="fittedTo"/> says which): measured and
    /// shown, verdict <see cref="Verdict.Fitted"/>, never "reproduced".
    /// </summary>
    public ClaimsTable Fitted(string id, IReadOnlyList<SeedSample> figures, string fittedTo) =>
        Judge(id, figures: figures, fittedFigures: Enumerable.Range(0, figures.Count).ToArray(), measured: fittedTo);

    /// <summary>A claim the reproduction cannot test, with the reason.</summary>
    public ClaimsTable NotComparable(string id, string reason)
    {
        var def = Definition(id);
        return Add(new ClaimRow(id, def.Claim, def.PaperText, "—", def.Tolerance, Verdict.NotComparable, reason));
    }

    ClaimDefinition Definition(string id)
    {
        var def = Registry[id];
        if (def.Report != Report) throw new ArgumentException($"claim {id} belongs to report {def.Report}, not to this table's report {Report}");
        return def;
    }

    static void Expect(ClaimDefinition def, string what, int expected, int got, IEnumerable<string> names)
    {
        if (expected != got)
            throw new ArgumentException($"claim {def.Id} has {expected} {what} in papers/claims.json ({string.Join("; ", names)}) but {got} were measured; pass one per entry, in that order");
    }

    ClaimsTable Add(ClaimRow row)
    {
        if (rows.Any(r => r.Id == row.Id)) throw new ArgumentException($"claim {row.Id} is already in the table");
        rows.Add(row);
        return this;
    }

    /// <summary>The verdict as words.</summary>
    public static string Words(Verdict v) => v switch
    {
        Verdict.Reproduced => "reproduced",
        Verdict.Close => "close",
        Verdict.NotDistinguishable => "not distinguishable",
        Verdict.NotReproduced => "not reproduced",
        Verdict.NotComparable => "not comparable",
        Verdict.Fitted => "fitted, not a test",
        _ => "not judged",
    };

    static string Colour(Verdict v) => v switch
    {
        Verdict.Reproduced => "#1a7f37",
        Verdict.Close => "#9a6700",
        Verdict.NotDistinguishable => "#6639ba",
        Verdict.NotReproduced => "#cf222e",
        Verdict.Fitted => "#0969da",
        _ => "#57606a",
    };

    /// <summary>Counts by verdict, e.g. "3 reproduced, 1 close".</summary>
    public string Summary() => string.Join(", ", rows.GroupBy(r => r.Verdict).OrderBy(g => g.Key).Select(g => $"{g.Count()} {Words(g.Key)}"));

    string SeedsCaption()
    {
        var counts = rows.Where(r => r.Seeds > 0).Select(r => r.Seeds).Distinct().Order().ToList();
        return counts.Count == 0 ? "" : $"; seeds per claim: {string.Join(" or ", counts)}";
    }

    /// <summary>Writes reports/&lt;notebook&gt;.claims.json (or under WORKBOOK_OUT) atomically; returns its path.</summary>
    public string Save()
    {
        var dir = WorkbookPaths.Reports;
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"{Notebook}.claims.json");
        var file = new ClaimsFile(Notebook, Report, profile.ToString(), DateTime.UtcNow, rows);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(file, WorkbookJson.Indented));
        return path;
    }

    /// <summary>Reads a claims file written by <see cref="Save"/>.</summary>
    public static ClaimsFile Load(string path) =>
        JsonSerializer.Deserialize<ClaimsFile>(File.ReadAllText(path), WorkbookJson.Compact)
        ?? throw new InvalidDataException($"{path} is empty");

    /// <inheritdoc />
    public override string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append($"<table class=\"wb-claims\" style=\"border-collapse:collapse;font-size:13px\"><caption style=\"text-align:left;font-weight:600;padding:4px 0\">Claims of report {E(Report)} vs this reproduction ({E(profile.ToString())} profile{E(SeedsCaption())}): {E(Summary())}</caption>");
        sb.Append("<thead><tr>");
        foreach (var h in new[] { "id", "claim", "paper", "measured (mean ± std [range] over seeds)", "tolerance / criterion", "verdict" }.Concat(columns.Select(c => c.Header)).Append("note"))
            sb.Append($"<th style=\"border-bottom:2px solid #888;padding:3px 8px;text-align:left\">{E(h)}</th>");
        sb.Append("</tr></thead><tbody>");
        const string td = "<td style=\"border-bottom:1px solid #ddd;padding:3px 8px;vertical-align:top\">";
        foreach (var r in rows)
        {
            sb.Append("<tr>");
            foreach (var cell in new[] { r.Id, r.Claim, r.Paper, r.Measured, r.Tolerance })
                sb.Append(td).Append(E(cell)).Append("</td>");
            sb.Append($"<td style=\"border-bottom:1px solid #ddd;padding:3px 8px;vertical-align:top;white-space:nowrap\"><span style=\"color:#fff;background:{Colour(r.Verdict)};border-radius:4px;padding:1px 6px\">{Words(r.Verdict)}</span></td>");
            foreach (var c in columns) sb.Append(td).Append(E(c.Cell(r))).Append("</td>");
            sb.Append($"<td style=\"border-bottom:1px solid #ddd;padding:3px 8px;vertical-align:top;color:#444\">{E(r.Note)}</td></tr>");
        }
        sb.Append("</tbody></table>");
        return sb.ToString();
    }

    /// <inheritdoc />
    public override string ToText()
    {
        var t = new Table(new[] { "id", "claim", "paper", "measured", "tolerance", "verdict" }.Concat(columns.Select(c => c.Header)).ToArray())
            { Title = $"Claims of report {Report} ({profile} profile{SeedsCaption()}): {Summary()}" };
        foreach (var r in rows)
            t.Add(new object?[] { r.Id, r.Claim, r.Paper, r.Measured, r.Tolerance, Words(r.Verdict) }.Concat(columns.Select(c => (object?)c.Cell(r))).ToArray());
        return t.ToText();
    }
}
