using System.Globalization;
using System.Text;

namespace Workbook.Cli.Runner;

/// <summary>The per-profile timings table in README.md, written by a whole-workbook run.</summary>
public static class ReadmeTimings
{
    /// <summary>Writes the table of <paramref name="records"/> into README's "timings-PROFILE" section; false when README has no such section.</summary>
    public static bool Record(IReadOnlyList<RunRecord> records, string profile, string? readmePath = null) =>
        ReadmeSection.Replace($"timings-{profile}", Render(records, profile), readmePath);

    /// <summary>The markdown table: notebook, status, wall time, and a total line with date and machine.</summary>
    public static string Render(IReadOnlyList<RunRecord> records, string profile)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| notebook | status | cells | wall time | training runs loaded from the cache |");
        sb.AppendLine("| --- | --- | --- | ---: | ---: |");
        foreach (var r in records)
            sb.AppendLine($"| {r.Notebook} | {r.Status} | {r.Cells}/{r.CodeCells} | {ConsoleReporter.Seconds(r.Seconds)} | {r.CachedRuns} |");
        var machine = records[0].Machine;
        var date = records.Min(r => r.Date).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        sb.AppendLine();
        sb.AppendLine($"Total **{ConsoleReporter.Seconds(records.Sum(r => r.Seconds))}** for the `{profile}` profile, measured by `workbook run` on {date} " +
                      $"({machine.Cores} cores, {machine.Os}, {machine.Architecture})" +
                      (records.Sum(r => r.CachedRuns) > 0 ? "; runs loaded from the cache took no training time." : "; every model trained from scratch."));
        return sb.ToString();
    }
}
