using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Data.Analysis;

namespace Workbook.Cli.Runner.Formatting;

/// <summary>
/// Renders a Microsoft.Data.Analysis DataFrame as an HTML table, standing in for the DataFrame
/// formatter Polyglot loads with the package. Long frames show their first rows and say how many
/// there are.
/// </summary>
public static class DataFrameFormatter
{
    /// <summary>Rows shown before the table is cut.</summary>
    public const int MaxRows = 25;

    /// <summary>Adds text/html and text/plain; false when the value is not a DataFrame.</summary>
    public static bool TryFormat(object value, MimeBundle bundle)
    {
        if (value is not DataFrame frame) return false;
        bundle.Set("text/html", Html(frame));
        bundle.Set("text/plain", frame.ToString().TrimEnd() + (frame.Rows.Count > MaxRows ? $"\n({frame.Rows.Count:N0} rows)" : ""));
        return true;
    }

    static string Html(DataFrame frame)
    {
        static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        long shown = Math.Min(frame.Rows.Count, MaxRows);
        // Inline styles: the same HTML shows in VS Code, where the report's style sheet is absent.
        const string th = "<th style=\"border-bottom:2px solid #888;padding:3px 8px;text-align:left\">";
        const string td = "<td style=\"border-bottom:1px solid #ddd;padding:3px 8px;text-align:left\">";
        const string tdNumber = "<td style=\"border-bottom:1px solid #ddd;padding:3px 8px;text-align:right\">";
        const string tdIndex = "<td style=\"border-bottom:1px solid #ddd;padding:3px 8px;color:#777\">";
        var sb = new StringBuilder("<table class=\"wb-dataframe\" style=\"border-collapse:collapse;font-size:13px\"><thead><tr>").Append(th).Append("</th>");
        foreach (var column in frame.Columns) sb.Append(th).Append(E(column.Name)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        for (long r = 0; r < shown; r++)
        {
            sb.Append("<tr>").Append(tdIndex).Append(r.ToString(CultureInfo.InvariantCulture)).Append("</td>");
            foreach (var column in frame.Columns)
            {
                var cell = column[r];
                var numeric = cell is IConvertible && cell is not string and not char and not bool;
                sb.Append(numeric ? tdNumber : td).Append(E(Cell(cell))).Append("</td>");
            }
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
        if (frame.Rows.Count > shown)
            sb.Append($"<div style=\"font-size:12px;color:#555;margin-top:4px\">first {shown} of {frame.Rows.Count:N0} rows</div>");
        return sb.ToString();
    }

    static string Cell(object? value) => value switch
    {
        null => "null",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
