using Workbook.Reporting;

namespace Workbook.Studies;

/// <summary>What one claim check says under one setting.</summary>
public enum GridOutcome
{
    /// <summary>The claim holds under this setting.</summary>
    Holds,
    /// <summary>The claim fails under this setting.</summary>
    Fails,
    /// <summary>The check cannot be judged under this setting (e.g. the run diverged, or the quantity does not exist there).</summary>
    NotMeasurable,
}

/// <summary>One plausible value of the settings a report leaves out, and how to measure under it.</summary>
/// <param name="Name">A short name shown as a column, e.g. "SGD lr 0.01 batch 32".</param>
/// <param name="Measure">Trains or reads whatever the claims need under this setting; called once.</param>
public sealed record GridSetting<TMeasurement>(string Name, Func<TMeasurement> Measure);

/// <summary>One claim, judged from a setting's measurement.</summary>
/// <param name="Id">The claim id, e.g. "C000-5".</param>
/// <param name="Holds">True when the claim holds, false when it fails, null when it cannot be judged from this measurement.</param>
/// <param name="Detail">Optional words shown in the cell beside holds/fails (e.g. the verdict "close").</param>
public sealed record ClaimCheck<TMeasurement>(string Id, Func<TMeasurement, bool?> Holds, Func<TMeasurement, string>? Detail = null);

/// <summary>Robustness grids whose measurement under each setting is a whole claims table.</summary>
public static class ClaimsGrid
{
    /// <summary>
    /// A grid over <paramref name="settings"/>, each producing the claims table judged under it; a claim holds
    /// under a setting when its verdict there is "reproduced", fails when it is close, not distinguishable or
    /// not reproduced, and cannot be judged otherwise (not comparable, fitted, not judged). Cells show the verdict.
    /// </summary>
    public static RobustnessGrid<ClaimsTable> Declare(IEnumerable<GridSetting<ClaimsTable>> settings, string defaultSetting,
        string defaultReason, IEnumerable<string> claimIds) =>
        new(settings, defaultSetting, defaultReason, claimIds.Select(id => new ClaimCheck<ClaimsTable>(id,
            t => Row(t, id).Verdict switch
            {
                Verdict.Reproduced => true,
                Verdict.Close or Verdict.NotDistinguishable or Verdict.NotReproduced => false,
                _ => null,
            },
            t => ClaimsTable.Words(Row(t, id).Verdict))));

    static ClaimRow Row(ClaimsTable t, string id) => t.ById.TryGetValue(id, out var row) ? row
        : throw new ArgumentException($"the claims table of this setting has no claim {id}; judge it in every setting of the grid");
}

/// <summary>
/// A robustness grid: the claims of a report judged under every plausible value of what the report leaves
/// unstated. The settings, the default among them and the reason for that default are fixed when the grid is
/// made, before anything is measured, so that no setting can be chosen after seeing which one makes a claim
/// hold. The headline verdict uses the default; the grid says under how many settings each claim holds.
/// </summary>
public sealed class RobustnessGrid<TMeasurement>
{
    /// <summary>The declared settings, in column order.</summary>
    public IReadOnlyList<GridSetting<TMeasurement>> Settings { get; }
    /// <summary>The claims, in row order.</summary>
    public IReadOnlyList<ClaimCheck<TMeasurement>> Checks { get; }
    /// <summary>The name of the setting the headline verdict uses.</summary>
    public string Default { get; }
    /// <summary>Why that setting is the default (shown under the table).</summary>
    public string DefaultReason { get; }

    /// <summary>
    /// Declares the grid. Throws an <see cref="ArgumentException"/> naming the problem when there are no
    /// settings or checks, names repeat, the default is not one of the settings, or no reason is given.
    /// </summary>
    public RobustnessGrid(IEnumerable<GridSetting<TMeasurement>> settings, string defaultSetting, string defaultReason, IEnumerable<ClaimCheck<TMeasurement>> checks)
    {
        // Copies: the declaration cannot be changed after the grid is made.
        Settings = settings?.ToArray() ?? throw new ArgumentNullException(nameof(settings));
        Checks = checks?.ToArray() ?? throw new ArgumentNullException(nameof(checks));
        if (Settings.Count == 0) throw new ArgumentException("a robustness grid needs at least one setting");
        if (Checks.Count == 0) throw new ArgumentException("a robustness grid needs at least one claim check");
        if (Settings.Any(s => string.IsNullOrWhiteSpace(s.Name) || s.Measure is null)) throw new ArgumentException("every setting needs a name and a measure function");
        if (Checks.Any(c => string.IsNullOrWhiteSpace(c.Id) || c.Holds is null)) throw new ArgumentException("every claim check needs an id and a check function");
        if (Settings.GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1) is { } s) throw new ArgumentException($"setting '{s.Key}' is declared twice; give each setting its own name");
        if (Checks.GroupBy(c => c.Id).FirstOrDefault(g => g.Count() > 1) is { } c) throw new ArgumentException($"claim '{c.Key}' is checked twice; give each check its own id");
        if (!Settings.Any(x => x.Name == defaultSetting))
            throw new ArgumentException($"the default '{defaultSetting}' is not one of the declared settings ({string.Join(", ", Settings.Select(x => x.Name))})");
        if (string.IsNullOrWhiteSpace(defaultReason)) throw new ArgumentException("say why the default setting is the default (defaultReason)");
        Default = defaultSetting;
        DefaultReason = defaultReason;
    }

    /// <summary>Measures every setting once, in declared order, and judges every claim under each.</summary>
    public RobustnessResult Run()
    {
        var outcomes = new GridOutcome[Checks.Count, Settings.Count];
        var details = new string?[Checks.Count, Settings.Count];
        for (int s = 0; s < Settings.Count; s++)
        {
            var measurement = Settings[s].Measure();
            for (int c = 0; c < Checks.Count; c++)
            {
                outcomes[c, s] = Checks[c].Holds(measurement) switch
                {
                    true => GridOutcome.Holds,
                    false => GridOutcome.Fails,
                    null => GridOutcome.NotMeasurable,
                };
                details[c, s] = Checks[c].Detail?.Invoke(measurement);
            }
        }
        return new RobustnessResult(Checks.Select(c => c.Id).ToArray(), Settings.Select(s => s.Name).ToArray(), Default, DefaultReason, outcomes, details);
    }
}

/// <summary>The outcome of every claim under every setting of a <see cref="RobustnessGrid{TMeasurement}"/>.</summary>
public sealed class RobustnessResult : RichOutput
{
    readonly GridOutcome[,] outcomes;
    readonly string?[,] details;

    /// <summary>Claim ids (rows).</summary>
    public IReadOnlyList<string> Claims { get; }
    /// <summary>Setting names (columns).</summary>
    public IReadOnlyList<string> Settings { get; }
    /// <summary>The default setting's name.</summary>
    public string Default { get; }
    /// <summary>Why it is the default.</summary>
    public string DefaultReason { get; }

    internal RobustnessResult(string[] claims, string[] settings, string defaultSetting, string reason, GridOutcome[,] outcomes, string?[,] details)
    {
        this.details = details;
        Claims = claims;
        Settings = settings;
        Default = defaultSetting;
        DefaultReason = reason;
        this.outcomes = outcomes;
    }

    int ClaimIndex(string claim) => Claims.ToList().IndexOf(claim) is var i and >= 0 ? i
        : throw new ArgumentException($"no claim '{claim}' in this grid; its claims are {string.Join(", ", Claims)}");

    int SettingIndex(string setting) => Settings.ToList().IndexOf(setting) is var i and >= 0 ? i
        : throw new ArgumentException($"no setting '{setting}' in this grid; its settings are {string.Join(", ", Settings)}");

    /// <summary>What <paramref name="claim"/>'s check said under <paramref name="setting"/>.</summary>
    public GridOutcome Outcome(string claim, string setting) => outcomes[ClaimIndex(claim), SettingIndex(setting)];

    /// <summary>The check's detail words under <paramref name="setting"/> (null when the check gives none).</summary>
    public string? Detail(string claim, string setting) => details[ClaimIndex(claim), SettingIndex(setting)];

    /// <summary>The outcome under the default setting: the headline verdict's input.</summary>
    public GridOutcome DefaultOutcome(string claim) => Outcome(claim, Default);

    /// <summary>Settings under which the claim holds.</summary>
    public int HoldsCount(string claim) => Count(claim, GridOutcome.Holds);

    /// <summary>Settings under which the claim could not be judged.</summary>
    public int NotMeasurableCount(string claim) => Count(claim, GridOutcome.NotMeasurable);

    int Count(string claim, GridOutcome outcome)
    {
        int c = ClaimIndex(claim);
        return Enumerable.Range(0, Settings.Count).Count(s => outcomes[c, s] == outcome);
    }

    /// <summary>"holds under k of n settings", with how many could not be judged when any.</summary>
    public string Summary(string claim)
    {
        int unmeasurable = NotMeasurableCount(claim);
        return $"holds under {HoldsCount(claim)} of {Settings.Count} settings" + (unmeasurable > 0 ? $" ({unmeasurable} not measurable)" : "");
    }

    /// <summary>Text of an outcome in a cell.</summary>
    public static string Describe(GridOutcome outcome) => outcome switch
    {
        GridOutcome.Holds => "holds",
        GridOutcome.Fails => "fails",
        _ => "not measurable",
    };

    string Cell(int c, int s) => details[c, s] is { } d ? $"{Describe(outcomes[c, s])} ({d})" : Describe(outcomes[c, s]);

    /// <summary>One row per claim, one column per setting (the default marked), and the count.</summary>
    public Table ToTable()
    {
        var columns = Settings.Select(s => s == Default ? s + " (default)" : s).ToArray();
        var table = new Table(["claim", .. columns, "robustness"])
        {
            Title = "Claims under each plausible setting the report leaves out",
            Note = $"Settings declared before running. The headline verdict uses the default, {Default}: {DefaultReason}",
        };
        for (int c = 0; c < Claims.Count; c++)
            table.Add([Claims[c], .. Enumerable.Range(0, Settings.Count).Select(s => (object?)Cell(c, s)), Summary(Claims[c])]);
        return table;
    }

    /// <inheritdoc />
    public override string ToHtml() => ToTable().ToHtml();
    /// <inheritdoc />
    public override string ToText() => ToTable().ToText();
}
