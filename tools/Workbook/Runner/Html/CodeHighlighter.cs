using System.Text;
using System.Text.RegularExpressions;

namespace Workbook.Cli.Runner.Html;

/// <summary>
/// A light C# highlighter for the reports: comments, strings, numbers, keywords and directive lines.
/// It only wraps tokens in spans; the text itself is always HTML-escaped, whatever it holds.
/// </summary>
public static class CodeHighlighter
{
    static readonly string[] keywords =
    [
        "abstract", "as", "async", "await", "base", "bool", "break", "byte", "case", "catch", "char", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "false", "finally",
        "float", "for", "foreach", "if", "in", "int", "interface", "internal", "is", "long", "new", "null", "object",
        "out", "override", "params", "private", "protected", "public", "readonly", "record", "ref", "return", "sealed",
        "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "using",
        "var", "virtual", "void", "when", "while", "with", "yield",
    ];

    static readonly Regex token = new(
        @"(?<d>^[ \t]*#(?:!|r\b|i\b).*$)" +
        @"|(?<c>//.*$|/\*[\s\S]*?\*/)" +
        @"|(?<s>\$?@""(?:[^""]|"""")*""|\$?""(?:[^""\\\n]|\\.)*""|'(?:[^'\\\n]|\\.)+')" +
        @"|(?<n>\b\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?[fFdDmMlLuU]?\b)" +
        @"|(?<k>\b(?:" + string.Join("|", keywords) + @")\b)",
        RegexOptions.Multiline | RegexOptions.CultureInvariant);

    /// <summary>The code as HTML with highlighting spans.</summary>
    public static string Highlight(string code)
    {
        var sb = new StringBuilder();
        int at = 0;
        foreach (Match m in token.Matches(code))
        {
            sb.Append(HtmlPage.E(code[at..m.Index]));
            var kind = new[] { "d", "c", "s", "n", "k" }.First(g => m.Groups[g].Success);
            sb.Append("<span class=\"tok-").Append(kind).Append("\">").Append(HtmlPage.E(m.Value)).Append("</span>");
            at = m.Index + m.Length;
        }
        sb.Append(HtmlPage.E(code[at..]));
        return sb.ToString();
    }
}
