using System.Net;

namespace Workbook.Reporting;

/// <summary>
/// Marks a type whose values know how to draw themselves. Polyglot Notebooks (.NET Interactive)
/// recognises this attribute by its name, without a reference to its packages, and so does the
/// workbook's own runner: the same notebook shows the same HTML in both.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = true)]
public sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    /// <summary>The type whose CreateTypeFormatters() yields the formatters.</summary>
    public Type FormatterSourceType { get; } = formatterSourceType;
    /// <summary>The MIME types to prefer, best first.</summary>
    public string[] PreferredMimeTypes { get; set; } = ["text/html"];
}

/// <summary>
/// Base of every library value that renders as HTML in a notebook: tables, markdown, image grids,
/// progress views, claims tables.
/// </summary>
[TypeFormatterSource(typeof(RichOutputFormatterSource))]
public abstract class RichOutput
{
    /// <summary>The HTML fragment to show.</summary>
    public abstract string ToHtml();

    /// <summary>A plain-text rendering (console, text/plain outputs).</summary>
    public virtual string ToText() => ToString() ?? GetType().Name;

    /// <summary>A PNG picture of the value, for values that are pictures; null otherwise.</summary>
    public virtual byte[]? ToPng() => null;

    /// <summary>HTML-encodes text.</summary>
    protected static string E(string? text) => WebUtility.HtmlEncode(text ?? "");
}

/// <summary>Gives .NET Interactive (and the runner) the two formatters of <see cref="RichOutput"/>.</summary>
public sealed class RichOutputFormatterSource
{
    /// <summary>The formatters, by convention: objects with MimeType and bool Format(object, TextWriter).</summary>
    public IEnumerable<object> CreateTypeFormatters()
    {
        yield return new RichOutputFormatter("text/html", r => r.ToHtml());
        yield return new RichOutputFormatter("text/plain", r => r.ToText());
    }
}

/// <summary>One convention-based formatter of <see cref="RichOutput"/>.</summary>
public sealed class RichOutputFormatter(string mimeType, Func<RichOutput, string> render)
{
    /// <summary>The MIME type this formatter writes.</summary>
    public string MimeType { get; } = mimeType;

    /// <summary>Writes the value; false when it is not a <see cref="RichOutput"/>.</summary>
    public bool Format(object instance, TextWriter writer)
    {
        if (instance is not RichOutput r) return false;
        writer.Write(render(r));
        return true;
    }
}
