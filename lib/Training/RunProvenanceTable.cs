using System.Globalization;
using Workbook.Reporting;

namespace Workbook.Training;

/// <summary>A table of the runs behind a notebook's numbers: where each came from, trained where, when, in how long.</summary>
public static class RunProvenanceTable
{
    /// <summary>One row per run, in the order the notebook asked for them.</summary>
    public static Table Of(IReadOnlyList<RunLogEntry> runs)
    {
        var table = new Table("run", "from", "trained on", "threads", "trained (UTC)", "commit", "wall time", "check")
        {
            Title = $"{runs.Count} runs: {Counts(runs)}",
            Note = "published = loaded from the repository's results/ (made by the paper profile); cache = this machine's runs/; " +
                   "check = a retrained run compared with its published record.",
        };
        foreach (var r in runs)
            table.Add(r.Name, Words(r.Source), r.Provenance.Machine + (r.Provenance.Device.Length > 0 ? $" ({r.Provenance.Device})" : ""),
                r.Provenance.Threads, r.Provenance.TrainedUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                r.Provenance.Commit, $"{r.Provenance.WallSeconds:F1} s", r.Comparison?.ToString() ?? "");
        return table;
    }

    /// <summary>"3 trained now, 12 published" and the like.</summary>
    public static string Counts(IReadOnlyList<RunLogEntry> runs) =>
        string.Join(", ", runs.GroupBy(r => r.Source).OrderBy(g => g.Key).Select(g => $"{g.Count()} {Words(g.Key)}"));

    static string Words(RunSource source) => source switch
    {
        RunSource.Trained => "trained now",
        RunSource.LocalCache => "cache",
        _ => "published",
    };
}
