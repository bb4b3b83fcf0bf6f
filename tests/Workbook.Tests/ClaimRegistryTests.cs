using Workbook.Reporting;
using Workbook.Runtime;
using Xunit;

namespace Workbook.Tests;

/// <summary>papers/claims.json is the one definition of every claim: the pages and notebooks must agree with it.</summary>
public class ClaimRegistryTests
{
    static string Root => WorkbookPaths.Root;
    static readonly string[] Reports = ["000", "001", "002", "003", "004"];

    /// <summary>The claim rows of a papers/NNN.md page: every table row under "## Claims" that starts with an id.</summary>
    static List<string> PageRows(string page)
    {
        var lines = page.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        int start = lines.IndexOf("## Claims");
        if (start < 0) return [];
        return lines.Skip(start + 1).TakeWhile(l => !l.StartsWith("## ")).Where(l => l.StartsWith("| C")).ToList();
    }

    /// <summary>What differs between a page's claim rows and the registry's, as messages naming the row to write.</summary>
    static List<string> Disagreements(ClaimRegistry registry, string report, string page)
    {
        var expected = registry.MarkdownRows(report).ToList();
        var actual = PageRows(page);
        var problems = expected.Except(actual).Select(r => $"papers/{report}.md lacks the row (from papers/claims.json):\n{r}").ToList();
        problems.AddRange(actual.Except(expected).Select(r => $"papers/{report}.md has a row that papers/claims.json does not define:\n{r}"));
        if (problems.Count == 0 && !expected.SequenceEqual(actual)) problems.Add($"papers/{report}.md lists the claims in another order than papers/claims.json");
        return problems;
    }

    [Fact]
    public void The_library_embeds_the_claims_file_of_this_checkout()
    {
        var onDisk = ClaimRegistry.Load(Path.Combine(Root, "papers", "claims.json"));
        Assert.Equal(onDisk.All, ClaimRegistry.Default.All, (a, b) => a.Id == b.Id && a.Claim == b.Claim && a.Tolerance == b.Tolerance
            && a.Figures.SequenceEqual(b.Figures) && a.Comparisons.SequenceEqual(b.Comparisons) && a.Parts.SequenceEqual(b.Parts));
    }

    [Fact]
    public void Every_report_has_the_claim_ids_of_the_seed_index()
    {
        var counts = new Dictionary<string, int> { ["000"] = 9, ["001"] = 7, ["002"] = 10, ["003"] = 7, ["004"] = 4 };
        foreach (var (report, n) in counts)
            Assert.Equal(Enumerable.Range(1, n).Select(i => $"C{report}-{i}"), ClaimRegistry.Default.OfReport(report).Select(c => c.Id));
        Assert.Equal(37, ClaimRegistry.Default.All.Count);
    }

    [Theory]
    [InlineData("000")] [InlineData("001")] [InlineData("002")] [InlineData("003")] [InlineData("004")]
    public void The_papers_page_lists_exactly_the_registrys_claims_tolerances_and_reasons(string report)
    {
        var page = File.ReadAllText(Path.Combine(Root, "papers", report + ".md"));
        var problems = Disagreements(ClaimRegistry.Default, report, page);
        Assert.True(problems.Count == 0, string.Join("\n\n", problems));
    }

    [Fact]
    public void A_page_whose_tolerance_differs_from_the_registry_is_caught()
    {
        var page = File.ReadAllText(Path.Combine(Root, "papers", "000.md"));
        var edited = page.Replace("| C000-1 | shallow MLP (16): 78.4% test accuracy | ±1.5 points |", "| C000-1 | shallow MLP (16): 78.4% test accuracy | ±2 points |");
        Assert.NotEqual(page, edited);
        var problems = Disagreements(ClaimRegistry.Default, "000", edited);
        Assert.Equal(2, problems.Count);
        Assert.Contains("±1.5 points", problems[0]);
    }

    [Fact]
    public void Each_notebook_judges_the_claims_the_registry_assigns_it()
    {
        foreach (var row in NotebookSmokeTests.Notebooks)
        {
            var (notebook, ids) = ((string)row[0], (string)row[1]);
            Assert.Equal(ids.Split(' '), ClaimRegistry.Default.OfNotebook(notebook).Select(c => c.Id));
        }
    }

    [Fact]
    public void A_malformed_claims_file_gives_a_clear_error()
    {
        const string entry = """{"id": "C1", "report": "000", "notebook": "n", "claim": "c", "tolerance": "t", "why": "w", "ifNot": "i", "parts": [{"what": "p"}]}""";
        var duplicate = $$"""{"claims": [{{entry}}, {{entry}}]}""";
        Assert.Contains("defined twice", Assert.Throws<InvalidDataException>(() => ClaimRegistry.Parse(duplicate)).Message);
        var misspelt = """{"claims": [ {"id": "C1", "report": "000", "notebook": "n", "claim": "c", "tolerance": "t", "why": "w", "ifNot": "i", "figurs": []} ]}""";
        Assert.Contains("not a valid claims file", Assert.Throws<InvalidDataException>(() => ClaimRegistry.Parse(misspelt)).Message);
        Assert.Contains("is not in papers/claims.json", Assert.Throws<KeyNotFoundException>(() => ClaimRegistry.Default["C999-1"]).Message);
    }
}
