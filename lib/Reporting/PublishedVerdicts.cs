using Workbook.Runtime;

namespace Workbook.Reporting;

/// <summary>
/// The verdicts of the published paper-profile run (results/&lt;notebook&gt;/claims.json), so that a smoke or
/// quick run, which judges nothing, can still show what the paper profile concluded beside its own figures.
/// </summary>
public sealed class PublishedVerdicts
{
    readonly Dictionary<string, ClaimRow> byId;

    PublishedVerdicts(ClaimsFile? file)
    {
        File = file;
        byId = file?.Claims.ToDictionary(c => c.Id) ?? new Dictionary<string, ClaimRow>();
    }

    /// <summary>The published claims file, or null when the notebook has none.</summary>
    public ClaimsFile? File { get; }

    /// <summary>The published paper verdicts of a notebook (empty when none are published or the file is unreadable).</summary>
    public static PublishedVerdicts For(string notebook, string? resultsRoot = null)
    {
        var path = Path.Combine(resultsRoot ?? WorkbookPaths.Results, notebook, "claims.json");
        if (!System.IO.File.Exists(path)) return new PublishedVerdicts(null);
        try
        {
            var file = ClaimsTable.Load(path);
            return new PublishedVerdicts(file.Profile == "paper" ? file : null);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException)
        {
            Console.WriteLine($"published verdicts: {path} cannot be read ({e.Message}); showing none");
            return new PublishedVerdicts(null);
        }
    }

    /// <summary>The published row of a claim, or null.</summary>
    public ClaimRow? Of(string id) => byId.GetValueOrDefault(id);

    /// <summary>"close (measured 85.2%, published 2026-11-28)" or "none published".</summary>
    public string Describe(string id) => Of(id) is { } row
        ? $"{ClaimsTable.Words(row.Verdict)} (measured {row.Measured}, published {File!.GeneratedUtc:yyyy-MM-dd})"
        : "none published";
}
