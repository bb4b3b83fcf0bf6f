using System.Collections;
using System.Globalization;
using System.Net;
using System.Reflection;

namespace Workbook.Cli.Runner.Formatting;

/// <summary>
/// Turns a value a cell displays into a MIME bundle, the way Polyglot's formatters would:
/// HTML(...) as HTML, Plotly.NET charts as interactive charts, DataFrames as tables, values with
/// convention formatters (TypeFormatterSource) through them, pictures (a public <c>byte[] ToPng()</c>
/// that returns data) also as image/png, and everything as text/plain.
/// </summary>
public static class OutputFormatter
{
    /// <summary>
    /// Formats a value. When <paramref name="mimeTypes"/> names types (display(x, "text/html")),
    /// only those are kept, plus text/plain.
    /// </summary>
    public static MimeBundle Format(object? value, IReadOnlyCollection<string>? mimeTypes = null)
    {
        var bundle = new MimeBundle();
        switch (value)
        {
            case null:
                bundle.Set("text/plain", "<null>");
                break;
            case HtmlContent html:
                bundle.Set("text/html", html.Html);
                bundle.Set("text/plain", html.Html);
                break;
            case string s:
                bundle.Set("text/plain", s);
                break;
            default:
                if (!PlotlyFormatter.TryFormat(value, bundle) && !DataFrameFormatter.TryFormat(value, bundle))
                    FormatterConvention.TryFormat(value, bundle);
                AddPng(value, bundle);
                break;
        }
        if (!bundle.Has("text/plain")) bundle.Set("text/plain", PlainText(value));
        if (mimeTypes is { Count: > 0 }) bundle = Only(bundle, value, mimeTypes);
        return bundle;
    }

    /// <summary>A picture's PNG, by the same duck typing for any type: a public parameterless ToPng() returning bytes.</summary>
    static void AddPng(object value, MimeBundle bundle)
    {
        var method = value.GetType().GetMethod("ToPng", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
        if (method?.ReturnType != typeof(byte[])) return;
        if (method.Invoke(value, null) is byte[] { Length: > 0 } png)
            bundle.Set("image/png", Convert.ToBase64String(png));
    }

    static MimeBundle Only(MimeBundle bundle, object? value, IReadOnlyCollection<string> mimeTypes)
    {
        var kept = new MimeBundle();
        foreach (var mime in mimeTypes)
        {
            if (bundle.Get(mime) is { } content) kept.Set(mime, content);
            else if (mime == "text/html") kept.Set(mime, $"<pre>{WebUtility.HtmlEncode(bundle.Get("text/plain"))}</pre>");
        }
        kept.Set("text/plain", bundle.Get("text/plain") ?? PlainText(value));
        return kept;
    }

    /// <summary>Plain text for any value: its ToString(), or the items of a collection.</summary>
    public static string PlainText(object? value)
    {
        switch (value)
        {
            case null: return "<null>";
            case string s: return s;
            case IFormattable f: return f.ToString(null, CultureInfo.InvariantCulture);
            case IEnumerable items when value.GetType().GetMethod("ToString", Type.EmptyTypes)?.DeclaringType == typeof(object):
                var shown = items.Cast<object?>().Take(21).Select(PlainText).ToList();
                return "[" + string.Join(", ", shown.Take(20)) + (shown.Count > 20 ? ", ..." : "") + "]";
            default: return value.ToString() ?? value.GetType().Name;
        }
    }
}
