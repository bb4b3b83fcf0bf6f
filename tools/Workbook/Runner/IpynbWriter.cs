using Workbook.Runtime;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Workbook.Cli.Runner.Formatting;

namespace Workbook.Cli.Runner;

/// <summary>
/// Writes the executed notebook: the source notebook with each code cell's outputs and execution
/// count filled in, as nbformat 4 with Polyglot's metadata, so VS Code opens it with its outputs.
/// </summary>
public static class IpynbWriter
{
    static readonly JsonSerializerOptions json = new()
    {
        WriteIndented = true,
        IndentSize = 1, // as Jupyter and VS Code write notebooks
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The executed notebook as JSON text.</summary>
    public static string ToJson(NotebookResult result)
    {
        var root = result.Notebook.Json.DeepClone().AsObject();
        bool needsIds = (int?)root["nbformat_minor"] >= 5;
        var cells = new JsonArray();
        foreach (var run in result.Cells) cells.Add(Cell(run, needsIds));
        root["cells"] = cells;
        root["metadata"] = Metadata(root["metadata"] as JsonObject);
        return root.ToJsonString(json) + "\n";
    }

    /// <summary>Writes the executed notebook to <paramref name="path"/> atomically.</summary>
    public static void Write(NotebookResult result, string path) => AtomicFile.WriteAllText(path, ToJson(result));

    /// <summary>Polyglot's notebook metadata, added where the source notebook lacks it.</summary>
    static JsonObject Metadata(JsonObject? metadata)
    {
        metadata ??= new JsonObject();
        metadata["kernelspec"] ??= new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" };
        metadata["language_info"] ??= new JsonObject { ["name"] = "polyglot-notebook" };
        metadata["polyglot_notebook"] ??= new JsonObject
        {
            ["kernelInfo"] = new JsonObject
            {
                ["defaultKernelName"] = CellPreprocessor.CSharp,
                ["items"] = new JsonArray(
                    new JsonObject { ["aliases"] = new JsonArray(), ["name"] = CellPreprocessor.CSharp },
                    new JsonObject { ["aliases"] = new JsonArray(), ["languageName"] = "Markdown", ["name"] = CellPreprocessor.MarkdownKernel }),
            },
        };
        return metadata;
    }

    static JsonObject Cell(CellRun run, bool needsIds)
    {
        var cell = run.Cell.Json.DeepClone().AsObject();
        if (needsIds && cell["id"] is null) cell["id"] = Guid.NewGuid().ToString("N")[..8];
        if (run.Cell.Kind != CellKind.Code) return cell;
        var metadata = cell["metadata"] as JsonObject ?? new JsonObject();
        var polyglot = metadata["polyglot_notebook"] as JsonObject ?? new JsonObject();
        polyglot["kernelName"] = run.Kernel ?? polyglot["kernelName"]?.GetValue<string>() ?? CellPreprocessor.CSharp;
        metadata["polyglot_notebook"] = polyglot;
        cell["metadata"] = metadata;
        cell["execution_count"] = run.ExecutionCount;
        var outputs = new JsonArray();
        foreach (var output in run.Outputs.Items) outputs.Add(Output(output, run.ExecutionCount));
        cell["outputs"] = outputs;
        return cell;
    }

    static JsonObject Output(CellOutput output, int? executionCount) => output switch
    {
        DisplayOutput { IsResult: true } d => new JsonObject
        {
            ["output_type"] = "execute_result",
            ["data"] = Data(d.Bundle),
            ["metadata"] = new JsonObject(),
            ["execution_count"] = executionCount,
        },
        DisplayOutput d => new JsonObject
        {
            ["output_type"] = "display_data",
            ["data"] = Data(d.Bundle),
            ["metadata"] = new JsonObject(),
        },
        StreamOutput s => new JsonObject
        {
            ["output_type"] = "stream",
            ["name"] = s.Name,
            ["text"] = Notebook.SplitLines(s.Text),
        },
        ErrorOutput e => new JsonObject
        {
            ["output_type"] = "error",
            ["ename"] = e.Name,
            ["evalue"] = e.Value,
            ["traceback"] = new JsonArray(e.Traceback.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
        },
        _ => throw new ArgumentException($"unknown output {output.GetType().Name}"),
    };

    /// <summary>nbformat's mime bundle: JSON types as JSON, images as one base64 string, text as lines.</summary>
    static JsonObject Data(MimeBundle bundle)
    {
        var data = new JsonObject();
        foreach (var (mime, content) in bundle.Items)
        {
            data[mime] = MimeBundle.IsJson(mime) ? JsonNode.Parse(content)
                : mime.StartsWith("image/", StringComparison.Ordinal) && mime != "image/svg+xml" ? JsonValue.Create(content)
                : Notebook.SplitLines(content);
        }
        return data;
    }
}
