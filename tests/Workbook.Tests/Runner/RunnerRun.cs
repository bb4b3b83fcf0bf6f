using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Workbook.Tests.Runner;

/// <summary>
/// One run of the real <c>workbook run</c> command over the fixture notebooks (tests/fixtures/*.ipynb)
/// and one notebook made here (a #r of an assembly built on the spot), in a process of its own, as a
/// person or CI runs it. The runner tests read its exit code, console and reports.
/// </summary>
public sealed class RunnerRun : IDisposable
{
    /// <summary>The repository root (where Lib.csproj is).</summary>
    public string Root { get; }
    /// <summary>tests/fixtures.</summary>
    public string Fixtures => Path.Combine(Root, "tests", "fixtures");
    /// <summary>The folder with the generated notebook and its assembly.</summary>
    public string Generated { get; }
    /// <summary>The reports folder (--out).</summary>
    public string Out { get; }
    /// <summary>The command's exit code.</summary>
    public int ExitCode { get; }
    /// <summary>What the command printed (stdout and stderr).</summary>
    public string Console { get; }
    /// <summary>Wall time of the whole command, process start included.</summary>
    public double Seconds { get; }

    /// <summary>The fixture notebooks the run covers.</summary>
    public static readonly string[] FixtureNames = ["runner-compile-error", "runner-error", "runner-features", "runner-unknown-package"];

    public RunnerRun()
    {
        Root = FindRoot();
        var temp = Directory.CreateTempSubdirectory("runner-tests").FullName;
        Out = Path.Combine(temp, "reports");
        Generated = Path.Combine(temp, "generated");
        Directory.CreateDirectory(Generated);
        MakeAssemblyNotebook(Generated);

        var args = new[] { "run" }.Concat(FixtureNames.Select(n => Path.Combine(Fixtures, n + ".ipynb")))
            .Concat([Path.Combine(Generated, "runner-assembly.ipynb"), "--profile", "smoke", "--out", Out]);
        var run = WorkbookProcess.Run(args, temp, TimeSpan.FromMinutes(3));
        (ExitCode, Console, Seconds) = (run.ExitCode, run.Console, run.Seconds);
    }

    /// <summary>An executed notebook from the reports folder.</summary>
    public JsonObject Executed(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(Out, name + ".ipynb")))!.AsObject();

    /// <summary>The code cells of an executed notebook.</summary>
    public List<JsonObject> CodeCells(string name) =>
        Executed(name)["cells"]!.AsArray().Select(c => c!.AsObject()).Where(c => (string?)c["cell_type"] == "code").ToList();

    /// <summary>Joins an nbformat multi-line string.</summary>
    public static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonArray a => string.Concat(a.Select(l => (string?)l)),
        _ => (string?)node ?? "",
    };

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Lib.csproj"))) return dir.FullName;
        throw new DirectoryNotFoundException("cannot find the repository root above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// A notebook that references an assembly the runner has never seen (compiled here), by a path
    /// relative to the notebook, and checks in a later cell that its types are still the same types.
    /// </summary>
    void MakeAssemblyNotebook(string folder)
    {
        const string helper = """
            namespace FixtureHelper
            {
                public sealed class Box { public int Value { get; init; } }
                public static class Boxes
                {
                    public static Box Make(int value) => new() { Value = value };
                    public static bool IsBox(object value) => value is Box;
                }
            }
            """;
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is "System.Runtime.dll" or "System.Private.CoreLib.dll")
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create("FixtureHelper", [CSharpSyntaxTree.ParseText(helper)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var emit = compilation.Emit(Path.Combine(folder, "FixtureHelper.dll"));
        if (!emit.Success) throw new InvalidOperationException(string.Join("\n", emit.Diagnostics));

        var lib = Path.Combine(Root, "bin", "lib", "Lib.dll").Replace("\\", "/");
        var notebook = new JsonObject
        {
            ["cells"] = new JsonArray(
                Cell("#r \"FixtureHelper.dll\"\nvar box = FixtureHelper.Boxes.Make(7);"),
                Cell("// a later cell: the same Box type, loaded once, in the default context\n" +
                     "$\"{FixtureHelper.Boxes.IsBox(box)} {box.GetType() == typeof(FixtureHelper.Box)} {System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(box.GetType().Assembly)?.Name}\""),
                Cell($"#r \"{lib}\"\ntypeof(Workbook.Reporting.Table).Assembly.Location")),
            ["metadata"] = new JsonObject { ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" } },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        File.WriteAllText(Path.Combine(folder, "runner-assembly.ipynb"), notebook.ToJsonString());
    }

    static JsonObject Cell(string source) => new()
    {
        ["cell_type"] = "code",
        ["id"] = Guid.NewGuid().ToString("N")[..8],
        ["execution_count"] = null,
        ["metadata"] = new JsonObject(),
        ["outputs"] = new JsonArray(),
        ["source"] = source,
    };

    public void Dispose()
    {
        try { Directory.Delete(Path.GetDirectoryName(Out)!, recursive: true); }
        catch (IOException) { /* a browser may still hold a file; the temp folder is cleaned later */ }
    }
}

[CollectionDefinition(Name)]
public sealed class RunnerCollection : ICollectionFixture<RunnerRun>
{
    public const string Name = "workbook run";
}
