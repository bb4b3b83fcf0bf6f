using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Scripting;

namespace Workbook.Cli.Runner;

/// <summary>Turns what stopped a cell into Jupyter's error output: type, message, stack.</summary>
public static class CellError
{
    /// <summary>
    /// The error output of an exception. Compile errors list their diagnostics (with the cell's
    /// line and column, which stay right because directive lines were blanked, not removed);
    /// runtime errors keep the stack down to where the script engine called the cell.
    /// </summary>
    public static ErrorOutput From(Exception e)
    {
        switch (e)
        {
            case CompilationErrorException c:
                var diagnostics = c.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
                if (diagnostics.Count == 0) diagnostics.Add(c.Message);
                return new ErrorOutput("CompilationError", string.Join("\n", diagnostics), diagnostics);
            case NotebookDirectiveException d:
                return new ErrorOutput("DirectiveError", d.Message, [d.Message]);
            default:
                var name = e.GetType().FullName ?? e.GetType().Name;
                return new ErrorOutput(name, e.Message, Trace(e));
        }
    }

    /// <summary>The exception as text, one entry per line, without the script engine's own frames.</summary>
    static List<string> Trace(Exception e)
    {
        var lines = new List<string>();
        foreach (var line in e.ToString().Split('\n').Select(l => l.TrimEnd('\r')))
        {
            var t = line.TrimStart();
            // The script engine's and the runner's frames say nothing about the notebook.
            if (t.StartsWith("at Microsoft.CodeAnalysis.Scripting.", StringComparison.Ordinal) ||
                t.StartsWith("at Workbook.Cli.Runner.", StringComparison.Ordinal)) continue;
            // An async boundary marker is noise when no frame follows it.
            if (t.StartsWith("--- End of stack trace", StringComparison.Ordinal) && lines.Count > 0 &&
                lines[^1].TrimStart().StartsWith("--- End of stack trace", StringComparison.Ordinal)) continue;
            lines.Add(line);
        }
        while (lines.Count > 0 && lines[^1].TrimStart().StartsWith("--- End of stack trace", StringComparison.Ordinal))
            lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    /// <summary>A one-line summary for the console: the type and the first line of the message.</summary>
    public static string Summary(ErrorOutput error)
    {
        var first = error.Value.Split('\n')[0].Trim();
        return $"{error.Name}: {first}";
    }
}
