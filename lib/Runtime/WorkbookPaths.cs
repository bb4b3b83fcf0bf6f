namespace Workbook.Runtime;

/// <summary>Where the workbook keeps its data, runs and reports.</summary>
public static class WorkbookPaths
{
    /// <summary>
    /// The repository root: WORKBOOK_ROOT if set, else the nearest folder at or above the current
    /// directory (or the library's own folder) that holds Lib.csproj, else the current directory.
    /// Notebooks run with the notebook's folder as current directory, so both cases find the root.
    /// </summary>
    public static string Root => root ??= FindRoot();
    static string? root;

    /// <summary>Downloaded or user-provided data: &lt;root&gt;/data.</summary>
    public static string Data => Path.Combine(Root, "data");

    /// <summary>The run cache: &lt;root&gt;/runs, or WORKBOOK_RUNS_DIR.</summary>
    public static string Runs => Environment.GetEnvironmentVariable("WORKBOOK_RUNS_DIR") is { Length: > 0 } d
        ? Path.GetFullPath(d) : Path.Combine(Root, "runs");

    /// <summary>The results published in the repository: &lt;root&gt;/results, or WORKBOOK_RESULTS_DIR.</summary>
    public static string Results => Environment.GetEnvironmentVariable("WORKBOOK_RESULTS_DIR") is { Length: > 0 } d
        ? Path.GetFullPath(d) : Path.Combine(Root, "results");

    /// <summary>The environment variable that names the reports folder (set by the runner from its --out).</summary>
    public const string OutVariable = "WORKBOOK_OUT";

    /// <summary>The reports folder when WORKBOOK_OUT is not set: &lt;root&gt;/reports.</summary>
    public static string DefaultReports => Path.Combine(Root, "reports");

    /// <summary>Where notebooks write their claims JSON and the runner its reports: WORKBOOK_OUT or <see cref="DefaultReports"/>.</summary>
    public static string Reports => Environment.GetEnvironmentVariable(OutVariable) is { Length: > 0 } d
        ? Path.GetFullPath(d) : DefaultReports;

    static string FindRoot()
    {
        if (Environment.GetEnvironmentVariable("WORKBOOK_ROOT") is { Length: > 0 } env)
            return Path.GetFullPath(env);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory, Path.GetDirectoryName(typeof(WorkbookPaths).Assembly.Location) ?? "" })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Lib.csproj")))
                    return dir.FullName;
        }
        return Directory.GetCurrentDirectory();
    }
}
