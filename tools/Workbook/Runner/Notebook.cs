using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workbook.Cli.Runner;

/// <summary>What a cell is, as the runner treats it.</summary>
public enum CellKind
{
    /// <summary>A Jupyter markdown cell.</summary>
    Markdown,
    /// <summary>A code cell (C#, or another Polyglot kernel named by its metadata or first magic line).</summary>
    Code,
    /// <summary>A raw cell: kept, never run.</summary>
    Raw,
}

/// <summary>
/// One cell of a notebook. The JSON it came from is kept, so metadata the runner does not know
/// (Polyglot's, VS Code's, the author's) survives into the executed notebook.
/// </summary>
public sealed class NotebookCell
{
    /// <summary>The cell's JSON object as read; the writer starts from a copy of it.</summary>
    public JsonObject Json { get; }

    /// <summary>Markdown, code or raw.</summary>
    public CellKind Kind { get; }

    /// <summary>The cell's text, with the source lines joined.</summary>
    public string Source { get; }

    /// <summary>1-based position among all cells, as VS Code numbers them when it shows a notebook.</summary>
    public int Number { get; }

    /// <summary>
    /// The kernel the cell's metadata names (polyglot_notebook.kernelName, or the older
    /// dotnet_interactive.language), or null when the metadata names none.
    /// </summary>
    public string? KernelName { get; }

    internal NotebookCell(JsonObject json, int number, string file)
    {
        Json = json;
        Number = number;
        var where = $"{file}: cell {number}";
        Kind = Shape.String(json, "cell_type", where) switch
        {
            "markdown" => CellKind.Markdown,
            "code" => CellKind.Code,
            "raw" => CellKind.Raw,
            var other => throw new InvalidDataException($"{where} has an unknown cell_type '{other ?? "(missing)"}'; it must be markdown, code or raw"),
        };
        Source = Shape.MultilineText(json["source"], $"{where}'s source");
        var metadata = Shape.Object(json, "metadata", where);
        KernelName = Shape.String(Shape.Object(metadata, "polyglot_notebook", $"{where}'s metadata"), "kernelName", $"{where}'s metadata.polyglot_notebook")
                     ?? Shape.String(Shape.Object(metadata, "dotnet_interactive", $"{where}'s metadata"), "language", $"{where}'s metadata.dotnet_interactive");
    }
}

/// <summary>
/// Checks of the JSON types the runner relies on: valid JSON of the wrong shape (a number where a
/// string belongs) is a clear <see cref="InvalidDataException"/> saying which field, not an
/// InvalidOperationException from deep inside the runner.
/// </summary>
static class Shape
{
    static string Kind(JsonNode? node) => node switch
    {
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "null",
        },
        _ => "null",
    };

    static InvalidDataException Wrong(string where, string field, string expected, JsonNode? node) =>
        new($"{where}: \"{field}\" must be {expected} but is {Kind(node)} ({node?.ToJsonString() ?? "null"}). Fix the notebook in an editor, or restore it from version control.");

    /// <summary>A string member, or null when it is absent or null.</summary>
    public static string? String(JsonObject? parent, string field, string where) => parent?[field] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        var other => throw Wrong(where, field, "a string", other),
    };

    /// <summary>An object member, or null when it is absent or null.</summary>
    public static JsonObject? Object(JsonObject? parent, string field, string where) => parent?[field] switch
    {
        null => null,
        JsonObject o => o,
        var other => throw Wrong(where, field, "an object", other),
    };

    /// <summary>An integer member, or null when it is absent or null.</summary>
    public static int? Int(JsonObject parent, string field, string where) => parent[field] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i) => i,
        var other => throw Wrong(where, field, "a whole number", other),
    };

    /// <summary>nbformat's multi-line string: a string or an array of strings.</summary>
    public static string MultilineText(JsonNode? node, string where)
    {
        if (node is JsonArray lines && lines.All(l => l is JsonValue v && v.GetValueKind() == JsonValueKind.String))
            return Notebook.JoinText(lines);
        if (node is null || node is JsonValue s && s.GetValueKind() == JsonValueKind.String) return Notebook.JoinText(node);
        throw new InvalidDataException($"{where} must be a string or an array of strings but is {Kind(node)}. Fix the notebook in an editor, or restore it from version control.");
    }
}

/// <summary>A Jupyter notebook (nbformat 4) as read from disk.</summary>
public sealed class Notebook
{
    /// <summary>The full path of the .ipynb file.</summary>
    public string Path { get; }

    /// <summary>The file name without extension, e.g. 01-shallow-vs-deep: names the reports.</summary>
    public string Name => System.IO.Path.GetFileNameWithoutExtension(Path);

    /// <summary>The notebook's top-level JSON object (metadata, nbformat, nbformat_minor).</summary>
    public JsonObject Json { get; }

    /// <summary>The cells, in order.</summary>
    public IReadOnlyList<NotebookCell> Cells { get; }

    Notebook(string path, JsonObject json, IReadOnlyList<NotebookCell> cells)
    {
        Path = path;
        Json = json;
        Cells = cells;
    }

    /// <summary>Reads a notebook; a file that is not nbformat 4 JSON is a clear error.</summary>
    public static Notebook Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(full)) as JsonObject
                   ?? throw new InvalidDataException($"{full} is not a notebook: its JSON is not an object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{full} is not valid JSON: {e.Message}", e);
        }
        if (Shape.Int(json, "nbformat", full) is not 4)
            throw new InvalidDataException($"{full} is not an nbformat 4 notebook (nbformat = {json["nbformat"]?.ToJsonString() ?? "missing"})");
        Shape.Int(json, "nbformat_minor", full);
        // The notebook's default kernel, read by the runner and rewritten by the writer.
        var metadata = Shape.Object(json, "metadata", full);
        var polyglot = Shape.Object(metadata, "polyglot_notebook", $"{full}: metadata");
        Shape.String(Shape.Object(polyglot, "kernelInfo", $"{full}: metadata.polyglot_notebook"), "defaultKernelName", $"{full}: metadata.polyglot_notebook.kernelInfo");
        if (json["cells"] is not JsonArray cellArray)
            throw new InvalidDataException($"{full} has no cells array");
        var cells = cellArray.Select((c, i) => new NotebookCell(
            c as JsonObject ?? throw new InvalidDataException($"{full}: cell {i + 1} is not an object"), i + 1, full)).ToList();
        return new Notebook(full, json, cells);
    }

    /// <summary>
    /// nbformat's "multiline string": either one string or an array of lines that each keep their
    /// newline. Both read as the same text.
    /// </summary>
    internal static string JoinText(JsonNode? node) => node switch
    {
        null => "",
        JsonArray lines => string.Concat(lines.Select(l => (string?)l ?? "")),
        _ => (string?)node ?? "",
    };

    /// <summary>Splits text into nbformat's array-of-lines form (each line keeps its "\n").</summary>
    internal static JsonArray SplitLines(string text)
    {
        var array = new JsonArray();
        int start = 0;
        while (start < text.Length)
        {
            int end = text.IndexOf('\n', start);
            if (end < 0) end = text.Length - 1;
            array.Add(text.Substring(start, end - start + 1));
            start = end + 1;
        }
        return array;
    }
}
