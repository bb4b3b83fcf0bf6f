using Markdig;

namespace Workbook.Reporting;

/// <summary>
/// Markdown produced by code, so that prose can carry measured numbers (string interpolation)
/// and still read as prose in a notebook.
/// </summary>
public sealed class Markdown(string text) : RichOutput
{
    static readonly MarkdownPipeline pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    /// <summary>The markdown source.</summary>
    public string Text { get; } = text;

    /// <summary>Renders markdown to HTML with tables, footnotes and the other common extensions.</summary>
    public static string RenderHtml(string markdown) => Markdig.Markdown.ToHtml(markdown, pipeline);

    /// <inheritdoc />
    public override string ToHtml() => $"<div class=\"wb-markdown\">{RenderHtml(Text)}</div>";

    /// <inheritdoc />
    public override string ToText() => Text;
}

/// <summary>Short helpers for notebooks: <c>using static Workbook.Reporting.Show;</c> then <c>Md($"...")</c>.</summary>
public static class Show
{
    /// <summary>Markdown from a (usually interpolated) string.</summary>
    public static Markdown Md(string text) => new(text);
}
