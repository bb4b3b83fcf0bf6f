using System.Globalization;
using System.Text.Json;
using Workbook.Runtime;
using System.Text.Json.Serialization;

namespace Workbook.Reporting;

/// <summary>How a comparison between two measured figures (A − B) is read.</summary>
public enum Relation
{
    /// <summary>A beats B by more than the margin ("MSE beats BCE", "clearly better": margin 1).</summary>
    Greater,
    /// <summary>A beats B by at most the margin ("no gain", "no better").</summary>
    NotGreater,
    /// <summary>A and B differ by less than the margin ("does not improve much").</summary>
    Similar,
}

/// <summary>One figure of a report: its value and how far a reproduction may be from it.</summary>
/// <param name="What">What the figure is, e.g. "test accuracy".</param>
/// <param name="Value">The report's own figure.</param>
/// <param name="Tolerance">How far outside the seed interval the figure may lie and still count as reproduced.</param>
/// <param name="Unit">Appended to every figure, e.g. "%".</param>
/// <param name="Format">.NET number format of the figure.</param>
/// <param name="AtLeast">Set when the claim is a lower bound ("≥ 1.5×"): any value from it up agrees.</param>
/// <param name="AtMost">Set when the claim is an upper bound ("at most 11%", a run that did not learn).</param>
/// <param name="DivergedAgrees">True when a diverged run agrees with the figure (the report's run did not learn either).</param>
public sealed record ClaimFigure(string What, double Value, double Tolerance, string Unit = "", string Format = "0.##",
    double? AtLeast = null, double? AtMost = null, bool DivergedAgrees = false)
{
    /// <summary>The figure as the report states it, with its unit (bounds as "≤ 11%").</summary>
    public string Text => AtLeast is { } lo ? "≥ " + F(lo) : AtMost is { } hi ? "≤ " + F(hi) : F(Value);

    /// <summary>A number in this figure's format and unit.</summary>
    public string F(double v) => v.ToString(Format, CultureInfo.InvariantCulture) + Unit;

    /// <summary>The values the claim states: [value, value], or the half-line of a bound.</summary>
    public (double Low, double High) Claimed => (AtLeast ?? (AtMost is null ? Value : double.NegativeInfinity),
        AtMost ?? (AtLeast is null ? Value : double.PositiveInfinity));
}

/// <summary>One comparison a claim makes: A − B read by <see cref="Relation"/> against <see cref="Margin"/>.</summary>
public sealed record ClaimComparison(string What, Relation Relation, double Margin, string Unit = " points");

/// <summary>One checkable part of a qualitative claim (a criterion evaluated once per seed).</summary>
public sealed record ClaimPart(string What);

/// <summary>
/// One claim of a report, as papers/claims.json defines it: the words, the report's figures, the comparisons
/// and criteria, the tolerance and its reason, and the likely reason when it does not hold. Notebooks supply
/// only the measured values.
/// </summary>
public sealed record ClaimDefinition
{
    /// <summary>The claim id, e.g. C000-1.</summary>
    public required string Id { get; init; }
    /// <summary>The report id, e.g. 000.</summary>
    public required string Report { get; init; }
    /// <summary>The notebook that judges it, without extension.</summary>
    public required string Notebook { get; init; }
    /// <summary>The claim in a few words, as papers/ lists it.</summary>
    public required string Claim { get; init; }
    /// <summary>What the report says, for claims without figures (e.g. "MSE &gt; BCE").</summary>
    public string? Paper { get; init; }
    /// <summary>The report's figures, in the order a notebook measures them.</summary>
    public IReadOnlyList<ClaimFigure> Figures { get; init; } = [];
    /// <summary>The comparisons, in the order a notebook measures them.</summary>
    public IReadOnlyList<ClaimComparison> Comparisons { get; init; } = [];
    /// <summary>The criteria checked once per seed, in order.</summary>
    public IReadOnlyList<ClaimPart> Parts { get; init; } = [];
    /// <summary>The tolerance or criterion, as papers/ lists it.</summary>
    public required string Tolerance { get; init; }
    /// <summary>Why that tolerance.</summary>
    public required string Why { get; init; }
    /// <summary>The likely reason when the claim is only close or not reproduced.</summary>
    public required string IfNot { get; init; }

    /// <summary>The report's side for a table: its figures, or <see cref="Paper"/>.</summary>
    public string PaperText => Figures.Count > 0 ? string.Join(" / ", Figures.Select(f => f.Text)) : Paper ?? "";
}

/// <summary>The claims of every report, read once from papers/claims.json (embedded in Lib.dll).</summary>
public sealed class ClaimRegistry
{
    /// <summary>The resource name of the embedded papers/claims.json.</summary>
    public const string ResourceName = "Workbook.claims.json";

    sealed record Document(string? About, List<ClaimDefinition> Claims);

    static readonly JsonSerializerOptions Json = new(WorkbookJson.Compact)
    {
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, // a misspelt field is an error, not a silent default
    };

    readonly Dictionary<string, ClaimDefinition> byId;

    /// <summary>Every claim, in file order.</summary>
    public IReadOnlyList<ClaimDefinition> All { get; }

    ClaimRegistry(IReadOnlyList<ClaimDefinition> claims, string source)
    {
        All = claims;
        byId = new Dictionary<string, ClaimDefinition>(StringComparer.Ordinal);
        foreach (var c in claims)
        {
            if (!byId.TryAdd(c.Id, c)) throw new InvalidDataException($"{source}: claim {c.Id} is defined twice; keep one entry per id");
            if (c.Figures.Count + c.Comparisons.Count + c.Parts.Count == 0)
                throw new InvalidDataException($"{source}: claim {c.Id} has no figures, comparisons or parts to judge; add at least one");
            if (c.Figures.Any(f => f.Tolerance < 0)) throw new InvalidDataException($"{source}: claim {c.Id} has a negative tolerance");
        }
    }

    /// <summary>The registry built into this library (papers/claims.json at build time).</summary>
    public static ClaimRegistry Default => @default ??= LoadEmbedded();
    static ClaimRegistry? @default;

    /// <summary>The claim with this id; a clear error for an unknown one.</summary>
    public ClaimDefinition this[string id] => byId.TryGetValue(id, out var c) ? c
        : throw new KeyNotFoundException($"claim {id} is not in papers/claims.json; add it there (and to papers/) or fix the id");

    /// <summary>The claims of one report, in file order.</summary>
    public IReadOnlyList<ClaimDefinition> OfReport(string report) => All.Where(c => c.Report == report).ToList();

    /// <summary>The claims one notebook judges, in file order.</summary>
    public IReadOnlyList<ClaimDefinition> OfNotebook(string notebook) => All.Where(c => c.Notebook == notebook).ToList();

    /// <summary>Parses a claims file (the text of papers/claims.json).</summary>
    public static ClaimRegistry Parse(string json, string source = "claims.json")
    {
        Document? doc;
        try { doc = JsonSerializer.Deserialize<Document>(json, Json); }
        catch (JsonException e) { throw new InvalidDataException($"{source} is not a valid claims file: {e.Message}", e); }
        if (doc?.Claims is not { Count: > 0 }) throw new InvalidDataException($"{source} has no claims: it needs {{\"claims\": [ ... ]}}");
        return new ClaimRegistry(doc.Claims, source);
    }

    /// <summary>Reads a claims file from disk.</summary>
    public static ClaimRegistry Load(string path) => Parse(File.ReadAllText(path), path);

    static ClaimRegistry LoadEmbedded()
    {
        using var stream = typeof(ClaimRegistry).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Lib.dll lacks the embedded {ResourceName}; rebuild it (Lib.csproj embeds papers/claims.json)");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "papers/claims.json (embedded)");
    }

    /// <summary>The markdown rows papers/NNN.md lists for a report: | id | claim | tolerance | why |.</summary>
    public IEnumerable<string> MarkdownRows(string report) =>
        OfReport(report).Select(c => $"| {c.Id} | {Cell(c.Claim)} | {Cell(c.Tolerance)} | {Cell(c.Why)} |");

    static string Cell(string s) => s.Replace("|", "\\|");
}
