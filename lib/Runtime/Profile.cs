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

    /// <summary>Lower-case name, as in WORKBOOK_PROFILE.</summary>
    public override string ToString() => Name.ToString().ToLowerInvariant();
}
