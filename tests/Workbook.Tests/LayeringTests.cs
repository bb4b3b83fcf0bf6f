using System.Text.RegularExpressions;
using Workbook.Runtime;
using Xunit;

namespace Workbook.Tests;

/// <summary>
/// Dependencies run one way: a namespace of the library or the tool may use those below it in
/// <see cref="Layers"/>, never one above it nor one beside it. Read from the sources: using directives,
/// fully qualified names, and the types of an enclosing namespace (which C# makes visible without a using).
/// </summary>
public class LayeringTests
{
    /// <summary>Bottom first; namespaces on one line are independent of each other.</summary>
    public static readonly string[][] Layers =
    [
        ["Workbook.Runtime", "Workbook.Statistics"],
        ["Workbook.Reporting"],
        ["Workbook.Data"],
        ["Workbook.Models"],
        ["Workbook.Evaluation"],
        ["Workbook.Training"],
        ["Workbook.Analysis", "Workbook.Charts", "Workbook.Scratch"],
        ["Workbook.Studies"],
        ["Workbook.Cli"],
        ["Workbook.Cli.Runner.Formatting"],
        ["Workbook.Cli.Runner"],
        ["Workbook.Cli.Runner.Html", "Workbook.Cli.Bench"],
        ["Workbook.Cli.Publishing"],
        ["Workbook.Cli.Commands"],
    ];

    static string Root => WorkbookPaths.Root;

    static int Rank(string ns) => Array.FindIndex(Layers, l => l.Contains(ns));

    sealed record Source(string File, string Namespace, string Code);

    /// <summary>The library's and the tool's sources, comments and string literals removed.</summary>
    static List<Source> Sources() =>
        new[] { "lib", "tools/Workbook" }
            .SelectMany(d => Directory.GetFiles(Path.Combine(Root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(f =>
            {
                var code = StripCommentsAndStrings(File.ReadAllText(f));
                var ns = Regex.Match(code, @"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline);
                return new Source(Path.GetRelativePath(Root, f), ns.Success ? ns.Groups[1].Value : "", code);
            })
            .ToList();

    static string StripCommentsAndStrings(string code)
    {
        code = Regex.Replace(code, "\"\"\"[\\s\\S]*?\"\"\"", "\"\"");
        code = Regex.Replace(code, @"/\*[\s\S]*?\*/", " ");
        code = Regex.Replace(code, "@\"(?:\"\"|[^\"])*\"", "\"\"");
        code = Regex.Replace(code, "\"(?:\\\\.|[^\"\\\\\\n])*\"", "\"\"");
        code = Regex.Replace(code, @"'(?:\\.|[^'\\\n])'", "' '");
        return Regex.Replace(code, @"//[^\n]*", "");
    }

    /// <summary>The known namespace that <paramref name="name"/> (a namespace or a qualified type) lies in, or null.</summary>
    static string? NamespaceOf(string name) =>
        Layers.SelectMany(l => l).Where(ns => name == ns || name.StartsWith(ns + ".", StringComparison.Ordinal))
            .OrderByDescending(ns => ns.Length).FirstOrDefault();

    /// <summary>Each namespace a file uses: imported, named in full, or an enclosing namespace whose types it names.</summary>
    static IEnumerable<(string Used, string How)> Uses(Source file, IReadOnlyDictionary<string, HashSet<string>> typesByNamespace)
    {
        foreach (Match m in Regex.Matches(file.Code, @"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?(Workbook(?:\.\w+)+)", RegexOptions.Multiline))
            if (NamespaceOf(m.Groups[1].Value) is { } ns) yield return (ns, "using " + m.Groups[1].Value);
        foreach (Match m in Regex.Matches(file.Code, @"(?<![\w.])(Workbook(?:\.\w+)+)"))
            if (!Regex.IsMatch(file.Code[..m.Index], @"(using|namespace)\s+(static\s+)?(\w+\s*=\s*)?$") && NamespaceOf(m.Groups[1].Value) is { } ns)
                yield return (ns, m.Groups[1].Value);
        // Types of an enclosing namespace need no using: Workbook.Cli.Runner.Html sees Workbook.Cli.Runner's.
        for (var outer = file.Namespace; outer.LastIndexOf('.') is var dot and > 0;)
        {
            outer = outer[..dot];
            if (!typesByNamespace.TryGetValue(outer, out var types)) continue;
            foreach (Match m in Regex.Matches(file.Code, @"(?<![\w.])([A-Z]\w*)\b"))
                if (types.Contains(m.Groups[1].Value)) yield return (outer, m.Groups[1].Value);
        }
    }

    [Fact]
    public void No_namespace_uses_one_above_or_beside_it()
    {
        var sources = Sources();
        var typesByNamespace = sources
            .SelectMany(s => Regex.Matches(s.Code, @"^(?:(?:public|internal|static|sealed|abstract|readonly|partial|file)\s+)*(?:class|record|struct|enum|interface)\s+(?:struct\s+|class\s+)?(\w+)", RegexOptions.Multiline)
                .Select(m => (s.Namespace, Type: m.Groups[1].Value)))
            .GroupBy(t => t.Namespace).ToDictionary(g => g.Key, g => g.Select(t => t.Type).ToHashSet());

        var unknown = sources.Where(s => s.Namespace != "" && Rank(s.Namespace) < 0).Select(s => $"{s.File}: {s.Namespace}").ToList();
        Assert.True(unknown.Count == 0, $"namespaces missing from {nameof(LayeringTests)}.{nameof(Layers)} (add each where it belongs):\n" + string.Join("\n", unknown));

        var wrong = new List<string>();
        foreach (var s in sources.Where(s => s.Namespace != ""))
        {
            int rank = Rank(s.Namespace);
            foreach (var (used, how) in Uses(s, typesByNamespace).Distinct())
                if (used != s.Namespace && Rank(used) >= rank)
                    wrong.Add($"{s.File} ({s.Namespace}) uses {used} ({how}), which is {(Rank(used) == rank ? "beside" : "above")} it");
        }
        Assert.True(wrong.Count == 0, "dependencies against the layering (bottom first: " +
            string.Join(" < ", Layers.Select(l => string.Join(", ", l))) + "):\n" + string.Join("\n", wrong.Distinct()));
    }

    [Fact]
    public void The_check_sees_imports_qualified_names_and_enclosing_namespace_types()
    {
        var types = new Dictionary<string, HashSet<string>> { ["Workbook.Cli.Runner"] = ["NotebookResult"] };
        var file = new Source("x.cs", "Workbook.Cli.Runner.Formatting", StripCommentsAndStrings("""
            using Workbook.Training;
            namespace Workbook.Cli.Runner.Formatting;
            // Workbook.Studies in a comment is no use
            class A { string s = "Workbook.Charts"; Workbook.Evaluation.EvalResult? r; NotebookResult? n; int x = y.NotebookResult; }
            """));
        var uses = Uses(file, types).Select(u => u.Used).Distinct().Order().ToList();
        Assert.Equal(["Workbook.Cli.Runner", "Workbook.Evaluation", "Workbook.Training"], uses);
    }
}
