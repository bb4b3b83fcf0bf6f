namespace Workbook.Cli.Runner.Formatting;

/// <summary>
/// One value rendered in several MIME types, best first (as Jupyter's output "data"). Every bundle
/// the runner makes carries text/plain.
/// </summary>
public sealed class MimeBundle
{
    readonly List<KeyValuePair<string, string>> items = new();

    /// <summary>The MIME types and their content, in the order added.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Items => items;

    /// <summary>Adds or replaces one MIME type. JSON MIME types (application/json, */*+json) hold JSON text.</summary>
    public MimeBundle Set(string mimeType, string content)
    {
        int i = items.FindIndex(p => p.Key == mimeType);
        if (i >= 0) items[i] = new(mimeType, content);
        else items.Add(new(mimeType, content));
        return this;
    }

    /// <summary>The content of one MIME type, or null.</summary>
    public string? Get(string mimeType) => items.FirstOrDefault(p => p.Key == mimeType).Value;

    /// <summary>Whether the bundle has this MIME type.</summary>
    public bool Has(string mimeType) => items.Any(p => p.Key == mimeType);

    /// <summary>Whether Jupyter stores this MIME type's content as JSON rather than text.</summary>
    public static bool IsJson(string mimeType) =>
        mimeType == "application/json" || (mimeType.StartsWith("application/", StringComparison.Ordinal) && mimeType.EndsWith("+json", StringComparison.Ordinal));
}
