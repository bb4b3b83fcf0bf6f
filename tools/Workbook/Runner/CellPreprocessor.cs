using System.Text.RegularExpressions;

namespace Workbook.Cli.Runner;

/// <summary>A directive line of a cell, as Polyglot Notebooks understands it.</summary>
public abstract record Directive(int Line);

/// <summary><c>#r "nuget: Name, Version"</c> (the version may be omitted).</summary>
public sealed record NuGetDirective(int Line, string Package, string? Version) : Directive(Line);

/// <summary><c>#r "path/to/assembly.dll"</c>, relative to the notebook's folder.</summary>
public sealed record AssemblyDirective(int Line, string Path) : Directive(Line);

/// <summary><c>#i "nuget: source"</c> or <c>#i "path"</c>: a package source, which the runner does not need.</summary>
public sealed record SourceDirective(int Line, string Source) : Directive(Line);

/// <summary>A cell ready to run: which kernel, whether it is timed, the code to compile and the directives taken out of it.</summary>
/// <param name="Kernel">csharp or markdown.</param>
/// <param name="Timed">The cell starts with <c>#!time</c>.</param>
/// <param name="Code">The cell's text with every magic and directive line blanked, so line numbers stay right.</param>
/// <param name="Directives">The directive lines, in order.</param>
public sealed record PreparedCell(string Kernel, bool Timed, string Code, IReadOnlyList<Directive> Directives);

/// <summary>A cell the runner cannot accept as written (unknown magic, malformed directive, unknown package).</summary>
public sealed class NotebookDirectiveException(string message) : Exception(message);

/// <summary>
/// Takes out of a code cell what is not C#: the magic commands at its top (<c>#!csharp</c>,
/// <c>#!markdown</c>, <c>#!time</c>) and the <c>#r</c> / <c>#i</c> directives. Roslyn's own
/// <c>#r</c> cannot resolve <c>nuget:</c> references, so the runner handles them all itself.
/// </summary>
public static class CellPreprocessor
{
    /// <summary>The C# kernel's name in Polyglot metadata.</summary>
    public const string CSharp = "csharp";
    /// <summary>The markdown kernel's name in Polyglot metadata.</summary>
    public const string MarkdownKernel = "markdown";

    static readonly Regex directive = new(@"^\s*#(?<kind>[ri])\s+""(?<arg>[^""]*)""\s*(//.*)?$", RegexOptions.CultureInvariant);
    static readonly Regex nuget = new(@"^\s*nuget\s*:\s*(?<name>[^,\s]+)\s*(,\s*(?<version>[^,\s]+)\s*)?$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    /// <summary>
    /// Prepares a code cell. <paramref name="defaultKernel"/> is the notebook's default kernel
    /// (used when neither a magic nor the cell's metadata names one).
    /// </summary>
    public static PreparedCell Prepare(NotebookCell cell, string defaultKernel = CSharp) =>
        Prepare(cell.Source, cell.KernelName ?? defaultKernel);

    /// <summary>Prepares cell text whose metadata names <paramref name="kernel"/>.</summary>
    public static PreparedCell Prepare(string source, string kernel)
    {
        kernel = Normalise(kernel);
        var lines = source.Replace("\r\n", "\n").Split('\n');
        var directives = new List<Directive>();
        bool timed = false, inHeader = true;
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.Trim();
            if (trimmed.StartsWith("#!", StringComparison.Ordinal))
            {
                if (!inHeader)
                    throw new NotebookDirectiveException($"line {i + 1}: the magic command '{trimmed}' must come before any code in the cell (the runner does not split cells between kernels)");
                var magic = trimmed[2..].Trim();
                switch (magic.ToLowerInvariant())
                {
                    case "csharp" or "c#" or "cs": kernel = CSharp; break;
                    case "markdown" or "md": kernel = MarkdownKernel; break;
                    case "time": timed = true; break;
                    default:
                        throw new NotebookDirectiveException($"line {i + 1}: the magic command '#!{magic}' is not supported by the workbook runner (it knows #!csharp, #!markdown and #!time)");
                }
                lines[i] = "";
                continue;
            }
            if (kernel == MarkdownKernel)
            {
                inHeader = false;
                continue;
            }
            var m = directive.Match(line);
            if (m.Success)
            {
                directives.Add(Parse(m.Groups["kind"].Value, m.Groups["arg"].Value, i + 1));
                lines[i] = "";
                continue;
            }
            if (trimmed.StartsWith("#r ", StringComparison.Ordinal) || trimmed.StartsWith("#i ", StringComparison.Ordinal))
                throw new NotebookDirectiveException($"line {i + 1}: cannot read the directive '{trimmed}'; write it as #r \"nuget: Name, Version\" or #r \"path/to/file.dll\"");
            if (trimmed.Length > 0) inHeader = false;
        }
        if (kernel != CSharp && kernel != MarkdownKernel)
            throw new NotebookDirectiveException($"the cell's kernel '{kernel}' is not supported by the workbook runner (it runs C# and markdown cells)");
        return new PreparedCell(kernel, timed, string.Join("\n", lines), directives);
    }

    static string Normalise(string kernel) => kernel.Trim().ToLowerInvariant() switch
    {
        "c#" or "cs" or "csharp" => CSharp,
        "md" or "markdown" => MarkdownKernel,
        var other => other,
    };

    static Directive Parse(string kind, string argument, int line)
    {
        if (kind == "i") return new SourceDirective(line, argument.Trim());
        if (argument.TrimStart().StartsWith("nuget", StringComparison.OrdinalIgnoreCase))
        {
            var m = nuget.Match(argument);
            if (!m.Success)
                throw new NotebookDirectiveException($"line {line}: cannot read the package reference \"{argument}\"; write it as #r \"nuget: Name, Version\"");
            var version = m.Groups["version"].Success ? m.Groups["version"].Value : null;
            return new NuGetDirective(line, m.Groups["name"].Value, version);
        }
        if (argument.Trim().Length == 0)
            throw new NotebookDirectiveException($"line {line}: #r names no assembly");
        return new AssemblyDirective(line, argument.Trim());
    }

    /// <summary>The directive lines as text, for notes and error messages.</summary>
    public static string Describe(Directive d) => d switch
    {
        NuGetDirective n => $"#r \"nuget: {n.Package}{(n.Version is null ? "" : ", " + n.Version)}\"",
        AssemblyDirective a => $"#r \"{a.Path}\"",
        SourceDirective s => $"#i \"{s.Source}\"",
        _ => d.ToString(),
    };

    /// <summary>Whether the text has any code left once blank lines and comments are ignored.</summary>
    public static bool HasCode(string code)
    {
        foreach (var line in code.Split('\n'))
        {
            var t = line.Trim();
            if (t.Length > 0 && !t.StartsWith("//", StringComparison.Ordinal)) return true;
        }
        return false;
    }
}
