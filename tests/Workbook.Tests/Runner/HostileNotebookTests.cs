using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Workbook.Cli.Runner;
using Workbook.Cli.Runner.Html;
using Xunit;

namespace Workbook.Tests.Runner;

/// <summary>
/// Issue 17, item 3 and the notebook fuzz test: a notebook that is valid JSON of the wrong shape is a
/// clear "cannot be read" error, never an exception from deep inside the runner.
/// </summary>
public sealed class HostileNotebookTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("wb-notebooks").FullName;
    public void Dispose() => Directory.Delete(dir, true);

    static string Root => Runtime.WorkbookPaths.Root;

    static JsonObject Minimal() => new()
    {
        ["cells"] = new JsonArray(new JsonObject
        {
            ["cell_type"] = "code", ["metadata"] = new JsonObject(), ["outputs"] = new JsonArray(),
            ["execution_count"] = null, ["source"] = "1 + 1",
        }),
        ["metadata"] = new JsonObject(),
        ["nbformat"] = 4,
        ["nbformat_minor"] = 5,
    };

    public static TheoryData<string, string> WrongTypes => new()
    {
        { "nbformat is a string", """{"nbformat": "4"}""" },
        { "nbformat_minor is a string", """{"nbformat_minor": "5"}""" },
        { "a source is a number", """{"cells": [{"cell_type": "code", "source": 3}]}""" },
        { "a source line is a number", """{"cells": [{"cell_type": "code", "source": ["a\n", 3]}]}""" },
        { "cell_type is a number", """{"cells": [{"cell_type": 3, "source": ""}]}""" },
        { "polyglot metadata is a string", """{"metadata": {"polyglot_notebook": "csharp"}}""" },
        { "kernelInfo is an array", """{"metadata": {"polyglot_notebook": {"kernelInfo": []}}}""" },
        { "defaultKernelName is a number", """{"metadata": {"polyglot_notebook": {"kernelInfo": {"defaultKernelName": 1}}}}""" },
        { "a cell's metadata is a string", """{"cells": [{"cell_type": "code", "source": "", "metadata": "x"}]}""" },
        { "a cell's kernelName is a number", """{"cells": [{"cell_type": "markdown", "source": "", "metadata": {"polyglot_notebook": {"kernelName": 2}}}]}""" },
        { "a cell's dotnet_interactive is a number", """{"cells": [{"cell_type": "code", "source": "", "metadata": {"dotnet_interactive": 2}}]}""" },
        { "metadata is an array", """{"metadata": []}""" },
    };

    /// <summary>
    /// Item 3: each of these is valid JSON with a field of the wrong type. Reading it, then everything
    /// the runner does with a notebook short of running code, either fails with InvalidDataException
    /// naming the field, or works.
    /// </summary>
    [Theory]
    [MemberData(nameof(WrongTypes))]
    public void Valid_json_of_the_wrong_shape_is_a_clear_error(string what, string patch)
    {
        var json = Minimal();
        foreach (var (k, v) in JsonNode.Parse(patch)!.AsObject()) json[k] = v?.DeepClone();
        var path = Path.Combine(dir, "bad.ipynb");
        File.WriteAllText(path, json.ToJsonString());
        var e = Record.Exception(() => Process(path));
        Assert.True(e is InvalidDataException, $"{what}: expected a clear InvalidDataException, got {e?.GetType().Name ?? "no error"}");
        Assert.Contains(path, e!.Message);
    }

    /// <summary>Reads a notebook and does every step of a run except executing code: kernels, directives, both reports.</summary>
    static void Process(string path)
    {
        var notebook = Notebook.Load(path);
        var kernel = NotebookRunner.DefaultKernel(notebook);
        var runs = new List<CellRun>();
        foreach (var cell in notebook.Cells)
        {
            var outputs = new CellOutputs();
            string? cellKernel = null;
            if (cell.Kind == CellKind.Code)
            {
                try { cellKernel = CellPreprocessor.Prepare(cell, kernel).Kernel; }
                catch (NotebookDirectiveException) { /* a cell error the runner shows in the report */ }
                outputs.AppendStream("stdout", "out\n");
            }
            runs.Add(new CellRun(cell, cellKernel, outputs, cell.Kind == CellKind.Code ? 1 : null,
                cell.Kind == CellKind.Code ? CellStatus.Ran : CellStatus.NotRun, 0.1));
        }
        var result = new NotebookResult(notebook, runs, null, null, 1, DateTime.UtcNow, "smoke");
        JsonNode.Parse(IpynbWriter.ToJson(result));
        HtmlReportWriter.ToHtml(result);
    }

    /// <summary>
    /// Fuzz: random mutations of a real notebook (a node replaced by one of another type, a key
    /// removed, or bytes of the text changed). Every outcome is a clean InvalidDataException or a
    /// notebook the runner can process to both reports; bounded to a few seconds.
    /// </summary>
    [Fact]
    public void Fuzzed_notebooks_are_read_or_rejected_cleanly()
    {
        var original = File.ReadAllText(Path.Combine(Root, "notebooks", "01-shallow-vs-deep.ipynb"));
        var rng = new Random(17);
        var path = Path.Combine(dir, "fuzz.ipynb");
        var clock = Stopwatch.StartNew();
        int cases = 0, rejected = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(6) && cases < 2000)
        {
            var text = rng.Next(4) == 0 ? MutateText(original, rng) : MutateJson(JsonNode.Parse(original)!, rng).ToJsonString();
            File.WriteAllText(path, text);
            cases++;
            try { Process(path); }
            catch (InvalidDataException e)
            {
                rejected++;
                Assert.Contains(path, e.Message);
            }
        }
        Assert.True(cases >= 50, $"only {cases} cases ran");
        Assert.True(rejected > 0 && rejected < cases, $"{rejected} of {cases} rejected");
    }

    static readonly Func<Random, JsonNode?>[] Replacements =
    [
        _ => null, r => r.Next(-5, 6), r => r.NextDouble() * 1e6, _ => true, _ => "", r => new string('x', r.Next(1, 5)),
        _ => new JsonArray(), _ => new JsonObject(), _ => new JsonArray(1, "a", null), _ => new JsonObject { ["x"] = 1 },
    ];

    /// <summary>Replaces or removes a few random nodes of the notebook's JSON.</summary>
    static JsonNode MutateJson(JsonNode root, Random rng)
    {
        for (int k = rng.Next(1, 4); k > 0; k--)
        {
            var nodes = new List<JsonNode>();
            void Walk(JsonNode? n) { if (n == null) return; nodes.Add(n); if (n is JsonObject o) foreach (var (_, v) in o) Walk(v); else if (n is JsonArray a) foreach (var v in a) Walk(v); }
            Walk(root);
            var target = nodes[rng.Next(nodes.Count)];
            if (target.Parent is JsonObject parent)
            {
                var name = target.GetPropertyName();
                if (rng.Next(4) == 0) parent.Remove(name);
                else parent[name] = Replacements[rng.Next(Replacements.Length)](rng);
            }
            else if (target.Parent is JsonArray array)
                array[target.GetElementIndex()] = Replacements[rng.Next(Replacements.Length)](rng);
        }
        return root;
    }

    const string Punctuation = "{}[]\",:0\\u";

    /// <summary>Cuts, inserts or overwrites a few characters of the text.</summary>
    static string MutateText(string text, Random rng)
    {
        var b = new StringBuilder(text);
        for (int k = rng.Next(1, 4); k > 0; k--)
        {
            int at = rng.Next(b.Length);
            switch (rng.Next(3))
            {
                case 0: b.Remove(at, Math.Min(b.Length - at, rng.Next(1, 20))); break;
                case 1: b.Insert(at, Punctuation[rng.Next(Punctuation.Length)]); break;
                default: b[at] = (char)rng.Next(32, 127); break;
            }
        }
        return b.ToString();
    }
}
