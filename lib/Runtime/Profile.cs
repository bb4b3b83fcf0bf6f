namespace Workbook.Runtime;

/// <summary>How much of each study to run.</summary>
public enum ProfileName
{
    /// <summary>A small data subset and one or two epochs: checks that a notebook runs (tests use it).</summary>
    Smoke,
    /// <summary>Full data, fewer epochs: the default, a whole workbook within an hour on 2 cores.</summary>
    Quick,
    /// <summary>The reports' own settings. Only this profile judges claims.</summary>
    Paper,
}

/// <summary>
/// The profile every study scales itself by, read from one place: the WORKBOOK_PROFILE environment
/// variable (smoke, quick or paper; default quick), or <see cref="Override"/> set in code.
/// </summary>
public sealed class Profile
{
    /// <summary>The name of the environment variable that selects the profile.</summary>
    public const string EnvironmentVariable = "WORKBOOK_PROFILE";

    /// <summary>Which profile.</summary>
    public ProfileName Name { get; }

    Profile(ProfileName name) => Name = name;

    /// <summary>When set, wins over the environment variable (for tests and the CLI).</summary>
    public static ProfileName? Override { get; set; }

    /// <summary>The profile in force now.</summary>
    public static Profile Current => new(Override ?? Parse(Environment.GetEnvironmentVariable(EnvironmentVariable)));

    /// <summary>Parses a profile name; null or empty means quick. Anything else is a clear error.</summary>
    public static ProfileName Parse(string? text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "" or "quick" => ProfileName.Quick,
        "smoke" => ProfileName.Smoke,
        "paper" => ProfileName.Paper,
        var other => throw new ArgumentException(
            $"Unknown workbook profile '{other}'. Use smoke, quick or paper (for example WORKBOOK_PROFILE=smoke).")
    };

    /// <summary>Picks the value for this profile.</summary>
    public T Pick<T>(T smoke, T quick, T paper) => Name switch
    {
        ProfileName.Smoke => smoke,
        ProfileName.Quick => quick,
        _ => paper,
    };

    /// <summary>True for the paper profile, the only one whose results are compared with a report's claims.</summary>
    public bool IsPaper => Name == ProfileName.Paper;

    /// <summary>Training images to use: a 3,000-image subset under smoke, all of them otherwise.</summary>
    public int? TrainLimit => Name == ProfileName.Smoke ? 3000 : null;

    /// <summary>Test images to use: a 1,000-image subset under smoke, all 10,000 otherwise.</summary>
    public int? TestLimit => Name == ProfileName.Smoke ? 1000 : null;

    /// <summary>The environment variable that overrides the number of seeds of every judged experiment.</summary>
    public const string SeedsVariable = "WORKBOOK_SEEDS";

    /// <summary>When set, wins over <see cref="SeedsVariable"/> (the CLI's --seeds).</summary>
    public static int? SeedCountOverride { get; set; }

    /// <summary>
    /// The seeds of an experiment that is judged: 0..n-1 with n = <paramref name="paper"/> under the paper
    /// profile (at least 3 where a verdict rests on it), one seed (0) under smoke and quick. WORKBOOK_SEEDS
    /// (or --seeds) sets n for every profile.
    /// </summary>
    public IReadOnlyList<int> Seeds(int paper = 3)
    {
        int n = SeedCountOverride ?? ParseSeeds(Environment.GetEnvironmentVariable(SeedsVariable)) ?? (IsPaper ? paper : 1);
        return Enumerable.Range(0, n).ToArray();
    }

    /// <summary>Parses a seed count; null or empty means "not set". Anything but a count of 1-100 is a clear error.</summary>
    public static int? ParseSeeds(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (int.TryParse(text.Trim(), out int n) && n is >= 1 and <= 100) return n;
        throw new ArgumentException($"'{text}' is not a seed count: use a whole number from 1 to 100 (for example WORKBOOK_SEEDS=3).");
    }

    /// <summary>Lower-case name, as in WORKBOOK_PROFILE.</summary>
    public override string ToString() => Name.ToString().ToLowerInvariant();
}
