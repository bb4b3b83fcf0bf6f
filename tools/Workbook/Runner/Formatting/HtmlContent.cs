namespace Workbook.Cli.Runner.Formatting;

/// <summary>HTML that a cell shows as is: what a cell's <c>HTML(...)</c> returns, as Polyglot's HTML() does.</summary>
public sealed class HtmlContent(string html)
{
    /// <summary>The HTML.</summary>
    public string Html { get; } = html;

    /// <inheritdoc />
    public override string ToString() => Html;
}
