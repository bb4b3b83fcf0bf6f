namespace Workbook.Cli;

/// <summary>
/// Replaces a generated part of README.md, between <c>&lt;!-- NAME:begin --&gt;</c> and
/// <c>&lt;!-- NAME:end --&gt;</c>, so that the tables there come from the commands that measure them
/// (timings from <c>workbook run</c>, the benchmark from <c>workbook bench</c>), never typed by hand.
/// </summary>
public static class ReadmeSection
{
    /// <summary>The repository's README.</summary>
    public static string DefaultPath => Path.Combine(Runtime.WorkbookPaths.Root, "README.md");

    /// <summary>
    /// Writes <paramref name="content"/> between the markers of <paramref name="name"/> (atomically).
    /// Returns false, changing nothing, when the README or its markers are missing.
    /// </summary>
    public static bool Replace(string name, string content, string? readmePath = null)
    {
        readmePath ??= DefaultPath;
        if (!File.Exists(readmePath)) return false;
        var text = File.ReadAllText(readmePath);
        string begin = $"<!-- {name}:begin -->", end = $"<!-- {name}:end -->";
        int b = text.IndexOf(begin, StringComparison.Ordinal), e = text.IndexOf(end, StringComparison.Ordinal);
        if (b < 0 || e < b) return false;
        var updated = text[..(b + begin.Length)] + "\n" + content.TrimEnd() + "\n" + text[e..];
        if (updated == text) return true;
        var temp = readmePath + $".{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temp, updated);
        File.Move(temp, readmePath, overwrite: true);
        return true;
    }
}
