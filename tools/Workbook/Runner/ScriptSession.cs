using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using Workbook.Cli.Runner.Formatting;

namespace Workbook.Cli.Runner;

/// <summary>
/// One notebook's C# session, like Polyglot's C# kernel: a Roslyn script whose state is continued
/// cell by cell, so variables, usings and types declared in one cell are there in the next.
/// </summary>
public sealed class ScriptSession
{
    /// <summary>The namespaces every cell starts with, as in Polyglot's C# kernel.</summary>
    public static readonly IReadOnlyList<string> DefaultImports =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Text", "System.Threading.Tasks"];

    readonly NotebookGlobals globals = new();
    readonly ReferenceSet references = new();
    readonly PackageCatalog catalog;
    readonly string folder;
    readonly string notebookName;
    ScriptState<object?>? state;

    /// <summary>A session for a notebook in <paramref name="folder"/> (where relative #r paths start).</summary>
    public ScriptSession(PackageCatalog catalog, string folder, string notebookName)
    {
        this.catalog = catalog;
        this.folder = folder;
        this.notebookName = notebookName;
    }

    /// <summary>
    /// Runs one prepared C# cell, writing its outputs (package list, console text, displayed values,
    /// its last value) to <paramref name="outputs"/>. Returns the exception that stopped it, or null.
    /// Console text of the cell, and of the tasks it starts, goes to its outputs (<see cref="CellConsole"/>).
    /// </summary>
    public async Task<Exception?> RunAsync(PreparedCell cell, CellOutputs outputs, int cellNumber)
    {
        var clock = Stopwatch.StartNew();
        globals.Outputs = outputs;
        // Flows to every task the cell starts, and ends with this method (an async method's changes
        // to the execution context do not reach its caller).
        CellConsole.Install();
        CellConsole.Current = outputs;
        try
        {
            ApplyDirectives(cell.Directives, outputs);
            if (CellPreprocessor.HasCode(cell.Code))
            {
                var options = ScriptOptions.Default
                    .WithReferences(references.All)
                    .WithImports(DefaultImports)
                    .WithFilePath($"{notebookName} cell {cellNumber}")
                    .WithFileEncoding(Encoding.UTF8)
                    .WithEmitDebugInformation(true)
                    .WithAllowUnsafe(true)
                    .WithLanguageVersion(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Preview);
                var next = state == null
                    ? await CSharpScript.RunAsync<object?>(cell.Code, options, globals, typeof(NotebookGlobals))
                    : await state.ContinueWithAsync<object?>(cell.Code, options);
                state = next;
                if (next.ReturnValue is { } value and not DisplayedValue)
                    outputs.AddDisplay(OutputFormatter.Format(value), isResult: true);
            }
            if (cell.Timed)
                outputs.AddDisplay(new MimeBundle().Set("text/plain", $"Wall time: {clock.Elapsed.TotalMilliseconds.ToString("0.####", CultureInfo.InvariantCulture)}ms"));
            return null;
        }
        catch (Exception e)
        {
            // A failed cell leaves the state as the last good cell left it.
            return Unwrap(e);
        }
        finally
        {
            CellConsole.Current = null;
        }
    }

    /// <summary>Resolves the cell's #r and #i lines and shows what was loaded, as Polyglot lists "Installed Packages".</summary>
    void ApplyDirectives(IReadOnlyList<Directive> directives, CellOutputs outputs)
    {
        var packages = new List<string>();
        var notes = new List<string>();
        foreach (var d in directives)
        {
            switch (d)
            {
                case NuGetDirective n:
                    var resolved = catalog.Resolve(n);
                    foreach (var assembly in resolved.AssemblyNames) references.AddPackageAssembly(assembly, n.Package);
                    packages.Add(n.Version is null ? n.Package : $"{n.Package}, {n.Version}");
                    if (resolved.Note != null) notes.Add(resolved.Note);
                    break;
                case AssemblyDirective a:
                    if (references.AddFile(a.Path, folder) is { } note) notes.Add(note);
                    break;
                case SourceDirective s:
                    notes.Add($"#i \"{s.Source}\" ignored: the runner takes packages only from its own build, never from a package source");
                    break;
            }
        }
        if (packages.Count == 0 && notes.Count == 0) return;
        var text = new StringBuilder();
        var html = new StringBuilder("<div class=\"wb-packages\">");
        if (packages.Count > 0)
        {
            text.AppendLine("Installed Packages");
            html.Append("<strong>Installed Packages</strong><ul>");
            foreach (var p in packages)
            {
                text.AppendLine("  - " + p);
                html.Append("<li>").Append(WebUtility.HtmlEncode(p)).Append("</li>");
            }
            html.Append("</ul>");
        }
        foreach (var n in notes)
        {
            text.AppendLine("Note: " + n);
            html.Append("<div class=\"wb-note\">Note: ").Append(WebUtility.HtmlEncode(n)).Append("</div>");
        }
        html.Append("</div>");
        outputs.AddDisplay(new MimeBundle().Set("text/html", html.ToString()).Set("text/plain", text.ToString().TrimEnd()));
    }

    static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case TargetInvocationException { InnerException: { } inner }: e = inner; continue;
                case AggregateException { InnerExceptions.Count: 1 } agg: e = agg.InnerExceptions[0]; continue;
                default: return e;
            }
        }
    }
}
