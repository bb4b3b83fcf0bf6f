using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Workbook.Runtime;

namespace Workbook.Reporting;

/// <summary>The outcome of comparing one claim of a report with the reproduction.</summary>
public enum Verdict
{
    /// <summary>Within the stated tolerance, on the paper profile.</summary>
    Reproduced,
    /// <summary>Outside the tolerance but within twice it (or the qualitative claim holds only in part).</summary>
    Close,
    /// <summary>Clearly different.</summary>
    NotReproduced,
    /// <summary>The reproduction cannot measure what the claim states (missing figure, different setup).</summary>
    NotComparable,
    /// <summary>A smoke or quick run: measured, but not judged, because the settings differ from the report's.</summary>
    NotJudged,
}

/// <summary>One row of a claims table.</summary>
public sealed record ClaimRow(string Id, string Claim, string Paper, string Measured, string Tolerance, Verdict Verdict, string Note)
{
    /// <summary>The verdict as words: reproduced, close, not reproduced, not comparable, not judged.</summary>
    public string VerdictText => ClaimsTable.Words(Verdict);
}

/// <summary>The JSON a notebook writes beside its report (reports/&lt;notebook&gt;.claims.json).</summary>
public sealed record ClaimsFile(string Notebook, string Report, string Profile, DateTime GeneratedUtc, IReadOnlyList<ClaimRow> Claims);

/// <summary>
/// The "claims vs reproduction" table every study notebook ends with: one row per claim id of its
/// report, the paper's figure, the measured figure, the tolerance and a verdict computed here.
/// Only the paper profile judges; smoke and quick runs say "not judged" and what they measured.
/// </summary>
public sealed class ClaimsTable(string notebook, string report) : RichOutput
{
    readonly List<ClaimRow> rows = new();
    readonly Profile profile = Profile.Current;

    /// <summary>The notebook's file name without extension, e.g. 01-shallow-vs-deep.</summary>
    public string Notebook { get; } = notebook;
    /// <summary>The report id, e.g. 000.</summary>
    public string Report { get; } = report;
    /// <summary>The rows, in the order added.</summary>
    public IReadOnlyList<ClaimRow> Rows => rows;

    /// <summary>
    /// A numeric claim: reproduced when |measured - paper| &lt;= tolerance, close within twice the
    /// tolerance, else not reproduced. A missing or non-finite measurement is not comparable.
    /// </summary>
    /// <param name="id">The report's claim id, e.g. C002-6.</param>
    /// <param name="claim">What the report claims, in a few words.</param>
    /// <param name="paper">The report's own figure.</param>
    /// <param name="measured">This reproduction's figure; null when it was not measured.</param>
    /// <param name="tolerance">How far the measured figure may be from the report's to count as reproduced.</param>
    /// <param name="unit">Appended to every figure, e.g. "%".</param>
    /// <param name="format">.NET number format of the figures.</param>
    /// <param name="note">Context shown beside the verdict.</param>
    /// <param name="partly">True when the claim says more than its number (e.g. "E5, the best") and that
    /// part does not hold: a number within tolerance then makes the claim only close.</param>
    /// <param name="ifNot">The likely reason when the claim is only close or not reproduced; shown only then.</param>
    public ClaimsTable Numeric(string id, string claim, double paper, double? measured, double tolerance,
        string unit = "", string format = "0.##", string note = "", string ifNot = "", bool partly = false)
    {
        string F(double v) => v.ToString(format, CultureInfo.InvariantCulture) + unit;
        Verdict verdict;
        string measuredText;
        if (measured is not { } m || !double.IsFinite(m))
        {
            verdict = Verdict.NotComparable;
            measuredText = measured is null ? "not measured" : "diverged (non-finite)";
        }
        else
        {
            double gap = Math.Abs(m - paper);
            verdict = gap <= tolerance ? Verdict.Reproduced : gap <= 2 * tolerance ? Verdict.Close : Verdict.NotReproduced;
            if (partly && verdict == Verdict.Reproduced) verdict = Verdict.Close;
            measuredText = F(m);
        }
        return AddJudged(new ClaimRow(id, claim, F(paper), measuredText, "±" + F(tolerance), verdict, WithReason(note, verdict, ifNot)));
    }

    /// <summary>
    /// A qualitative claim checked by a computed criterion: holds = true (reproduced), false (not
    /// reproduced), null (cannot be measured). <paramref name="partly"/> marks a claim that holds only in part (close).
    /// </summary>
    /// <param name="id">The report's claim id, e.g. C002-6.</param>
    /// <param name="claim">What the report claims, in a few words.</param>
    /// <param name="paper">The report's own figure.</param>
    /// <param name="holds">Whether the computed criterion holds; null when it cannot be measured.</param>
    /// <param name="measured">What was measured, as text.</param>
    /// <param name="criterion">The criterion, as text.</param>
    /// <param name="note">Context shown beside the verdict.</param>
    /// <param name="partly">True when the claim holds only in part (close).</param>
    /// <param name="ifNot">The likely reason when the claim is only close or not reproduced; shown only then.</param>
    public ClaimsTable Qualitative(string id, string claim, string paper, bool? holds, string measured, string criterion,
        string note = "", bool partly = false, string ifNot = "")
    {
        var verdict = holds switch
        {
            null => Verdict.NotComparable,
            true when partly => Verdict.Close,
            true => Verdict.Reproduced,
            false => Verdict.NotReproduced,
        };
        return AddJudged(new ClaimRow(id, claim, paper, measured, criterion, verdict, WithReason(note, verdict, ifNot)));
    }

    /// <summary>A claim the reproduction cannot test, with the reason.</summary>
    public ClaimsTable NotComparable(string id, string claim, string paper, string reason) =>
        Add(new ClaimRow(id, claim, paper, "—", "—", Verdict.NotComparable, reason));

    static string WithReason(string note, Verdict verdict, string ifNot) =>
        ifNot.Length == 0 || verdict is not (Verdict.Close or Verdict.NotReproduced) ? note
        : note.Length == 0 ? "likely reason: " + ifNot : $"{note}; likely reason: {ifNot}";

    ClaimsTable AddJudged(ClaimRow row)
    {
        if (!profile.IsPaper && row.Verdict != Verdict.NotComparable)
        {
            var would = $"on the {profile} profile this would read \"{Words(row.Verdict)}\"; run the paper profile to judge";
            row = row with { Verdict = Verdict.NotJudged, Note = row.Note.Length == 0 ? would : $"{row.Note}; {would}" };
        }
        return Add(row);
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
        Verdict.NotReproduced => "not reproduced",
        Verdict.NotComparable => "not comparable",
        _ => "not judged",
    };

    static string Colour(Verdict v) => v switch
    {
        Verdict.Reproduced => "#1a7f37",
        Verdict.Close => "#9a6700",
        Verdict.NotReproduced => "#cf222e",
        _ => "#57606a",
    };

    /// <summary>Counts by verdict, e.g. "3 reproduced, 1 close".</summary>
    public string Summary() => string.Join(", ", rows.GroupBy(r => r.Verdict).OrderBy(g => g.Key).Select(g => $"{g.Count()} {Words(g.Key)}"));

    /// <summary>Writes reports/&lt;notebook&gt;.claims.json (or under WORKBOOK_OUT) atomically; returns its path.</summary>
    public string Save()
    {
        var dir = WorkbookPaths.Reports;
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"{Notebook}.claims.json");
        var file = new ClaimsFile(Notebook, Report, profile.ToString(), DateTime.UtcNow, rows);
        var json = JsonSerializer.Serialize(file, new JsonSerializerOptions { WriteIndented = true, Converters = { new JsonStringEnumConverter() } });
        var temp = path + $".{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temp, json);
        File.Move(temp, path, overwrite: true);
        return path;
    }

    /// <summary>Reads a claims file written by <see cref="Save"/>.</summary>
    public static ClaimsFile Load(string path) =>
        JsonSerializer.Deserialize<ClaimsFile>(File.ReadAllText(path), new JsonSerializerOptions { Converters = { new JsonStringEnumConverter() } })
        ?? throw new InvalidDataException($"{path} is empty");

    /// <inheritdoc />
    public override string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append($"<table class=\"wb-claims\" style=\"border-collapse:collapse;font-size:13px\"><caption style=\"text-align:left;font-weight:600;padding:4px 0\">Claims of report {E(Report)} vs this reproduction ({E(profile.ToString())} profile): {E(Summary())}</caption>");
        sb.Append("<thead><tr>");
        foreach (var h in new[] { "id", "claim", "paper", "measured", "tolerance / criterion", "verdict", "note" })
            sb.Append($"<th style=\"border-bottom:2px solid #888;padding:3px 8px;text-align:left\">{h}</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var r in rows)
        {
            sb.Append("<tr>");
            foreach (var cell in new[] { r.Id, r.Claim, r.Paper, r.Measured, r.Tolerance })
                sb.Append($"<td style=\"border-bottom:1px solid #ddd;padding:3px 8px;vertical-align:top\">{E(cell)}</td>");
            sb.Append($"<td style=\"border-bottom:1px solid #ddd;padding:3px 8px;vertical-align:top;white-space:nowrap\"><span style=\"color:#fff;background:{Colour(r.Verdict)};border-radius:4px;padding:1px 6px\">{Words(r.Verdict)}</span></td>");
            sb.Append($"<td style=\"border-bottom:1px solid #ddd;padding:3px 8px;vertical-align:top;color:#444\">{E(r.Note)}</td></tr>");
        }
        sb.Append("</tbody></table>");
        return sb.ToString();
    }

    /// <inheritdoc />
    public override string ToText()
    {
        var t = new Table("id", "claim", "paper", "measured", "tolerance", "verdict") { Title = $"Claims of report {Report} ({profile} profile): {Summary()}" };
        foreach (var r in rows) t.Add(r.Id, r.Claim, r.Paper, r.Measured, r.Tolerance, Words(r.Verdict));
        return t.ToText();
    }
}
