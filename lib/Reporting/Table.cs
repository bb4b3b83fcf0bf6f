using System.Globalization;
using System.Reflection;
using System.Text;

namespace Workbook.Reporting;

/// <summary>
/// A small table of values that renders as HTML in notebooks and reports, as aligned text in a
/// console and as GitHub markdown.
/// </summary>
public sealed class Table : RichOutput
{
    /// <summary>Column headers.</summary>
    public IReadOnlyList<string> Columns { get; }
    /// <summary>The rows; each has one cell per column.</summary>
    public IReadOnlyList<object?[]> Rows => rows;
    readonly List<object?[]> rows = new();

    /// <summary>A caption shown above the table.</summary>
    public string? Title { get; set; }
    /// <summary>A note shown under the table.</summary>
    public string? Note { get; set; }
    /// <summary>.NET format strings by column name, e.g. ["accuracy"] = "P2". Doubles default to 4 significant decimals.</summary>
    public Dictionary<string, string> Formats { get; } = new();

    /// <summary>An empty table with these columns.</summary>
    public Table(params string[] columns)
    {
        if (columns.Length == 0) throw new ArgumentException("a table needs at least one column");
        Columns = columns;
    }

    /// <summary>Adds a row (one cell per column) and returns the table.</summary>
    public Table Add(params object?[] cells)
    {
        if (cells.Length != Columns.Count)
            throw new ArgumentException($"row has {cells.Length} cells but the table has {Columns.Count} columns ({string.Join(", ", Columns)})");
        rows.Add(cells);
        return this;
    }

    /// <summary>A table with one column per public property of <typeparamref name="T"/>.</summary>
    public static Table From<T>(IEnumerable<T> items, string? title = null)
    {
        var props = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToArray();
        var table = new Table(props.Select(p => p.Name).ToArray()) { Title = title };
        foreach (var item in items) table.Add(props.Select(p => p.GetValue(item)).ToArray());
        return table;
    }

    /// <summary>The values of one column.</summary>
    public IEnumerable<object?> Column(string name)
    {
        int i = IndexOf(name);
        return rows.Select(r => r[i]);
    }

    int IndexOf(string name)
    {
        int i = Columns.ToList().IndexOf(name);
        if (i < 0) throw new ArgumentException($"no column '{name}'; the columns are {string.Join(", ", Columns)}");
        return i;
    }

    /// <summary>How one cell is written.</summary>
    public string FormatCell(int column, object? value)
    {
        Formats.TryGetValue(Columns[column], out var format);
        return value switch
        {
            null => "",
            double d when double.IsNaN(d) => "n/a",
            double d when format != null => d.ToString(format, CultureInfo.InvariantCulture),
            double d when d != 0 && Math.Abs(d) < 0.001 => d.ToString("0.###e-0", CultureInfo.InvariantCulture), // 3e-05, not 0
            double d => Math.Abs(d) >= 1000 ? d.ToString("N0", CultureInfo.InvariantCulture) : d.ToString("0.####", CultureInfo.InvariantCulture),
            float f => FormatCell(column, (double)f),
            IFormattable f when format != null => f.ToString(format, CultureInfo.InvariantCulture),
            int or long => ((IFormattable)value).ToString("N0", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
    }

    static bool IsNumber(object? v) => v is double or float or int or long or decimal;

    /// <inheritdoc />
    public override string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append("<table class=\"wb-table\" style=\"border-collapse:collapse;font-size:13px\">");
        if (Title != null) sb.Append($"<caption style=\"text-align:left;font-weight:600;padding:4px 0\">{E(Title)}</caption>");
        sb.Append("<thead><tr>");
        foreach (var c in Columns) sb.Append($"<th style=\"border-bottom:2px solid #888;padding:3px 8px;text-align:left\">{E(c)}</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            sb.Append("<tr>");
            for (int i = 0; i < row.Length; i++)
            {
                var align = IsNumber(row[i]) ? "right" : "left";
                var cell = row[i] is RichOutput rich ? rich.ToHtml() : E(FormatCell(i, row[i]));
                sb.Append($"<td style=\"border-bottom:1px solid #ddd;padding:3px 8px;text-align:{align}\">{cell}</td>");
            }
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
        if (Note != null) sb.Append($"<div style=\"font-size:12px;color:#555;margin-top:4px\">{E(Note)}</div>");
        return sb.ToString();
    }

    /// <inheritdoc />
    public override string ToText()
    {
        var cells = rows.Select(r => r.Select((v, i) => v is RichOutput ro ? ro.ToText() : FormatCell(i, v)).ToArray()).ToList();
        var widths = Columns.Select((c, i) => Math.Max(c.Length, cells.Count == 0 ? 0 : cells.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder();
        if (Title != null) sb.AppendLine(Title);
        sb.AppendLine(string.Join("  ", Columns.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var (r, row) in cells.Zip(rows))
            sb.AppendLine(string.Join("  ", r.Select((c, i) => IsNumber(row[i]) ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd());
        if (Note != null) sb.AppendLine(Note);
        return sb.ToString();
    }

    /// <summary>GitHub-flavoured markdown (for README and papers/).</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine("| " + string.Join(" | ", Columns) + " |");
        sb.AppendLine("|" + string.Concat(Columns.Select(_ => " --- |")));
        foreach (var row in rows)
            sb.AppendLine("| " + string.Join(" | ", row.Select((v, i) => FormatCell(i, v).Replace("|", "\\|"))) + " |");
        return sb.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => ToText();
}
