using System.Text.Json;
using Xunit;

namespace Workbook.Tests;

/// <summary>Notebooks read as prose with short code: no code line wider than a report column.</summary>
public class NotebookStyleTests
{
    const int MaxLine = 120;

    public static TheoryData<string> Notebooks() =>
        new(Directory.GetFiles(Path.Combine(Workbook.Runtime.WorkbookPaths.Root, "notebooks"), "*.ipynb")
            .Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void No_code_line_is_wider_than_120_characters(string notebook)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Workbook.Runtime.WorkbookPaths.Root, "notebooks", notebook)));
        var wide = doc.RootElement.GetProperty("cells").EnumerateArray()
            .Select((cell, i) => (i, cell))
            .Where(c => c.Item2.GetProperty("cell_type").GetString() == "code")
            .SelectMany(c => string.Concat(c.Item2.GetProperty("source").EnumerateArray().Select(s => s.GetString()))
                .Split('\n').Select((line, n) => (c.Item1, Line: n + 1, line)))
            .Where(l => l.line.Length > MaxLine)
            .Select(l => $"cell {l.Item1}, line {l.Line}: {l.line.Length} characters")
            .ToList();
        Assert.True(wide.Count == 0, $"{notebook} has code lines over {MaxLine} characters (wrap them):\n" + string.Join("\n", wide));
    }
}
