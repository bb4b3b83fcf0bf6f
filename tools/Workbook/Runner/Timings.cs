using Workbook.Runtime;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Workbook.Cli.Runner;

/// <summary>The machine a notebook ran on, for the timings table in README.</summary>
/// <param name="Cores">Logical processors.</param>
/// <param name="Os">Operating system, e.g. "Debian GNU/Linux 12 (bookworm)".</param>
/// <param name="Architecture">x64, arm64, ...</param>
public sealed record MachineInfo(int Cores, string Os, string Architecture)
{
    /// <summary>This machine.</summary>
    public static MachineInfo Current => new(Environment.ProcessorCount, OsName(), RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant());

    static string OsName()
    {
        // /etc/os-release names the distribution; RuntimeInformation only the kernel on some systems.
        try
        {
            if (OperatingSystem.IsLinux() && File.Exists("/etc/os-release"))
                foreach (var line in File.ReadLines("/etc/os-release"))
                    if (line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
                        return line["PRETTY_NAME=".Length..].Trim('"');
        }
        catch (IOException) { }
        return RuntimeInformation.OSDescription;
    }
}

/// <summary>One notebook's latest run, as kept in reports/timings.json and shown in reports/index.html.</summary>
/// <param name="Notebook">File name without extension.</param>
/// <param name="Status">ok, failed (a cell failed), interrupted (Ctrl-C) or error (the notebook could not be read).</param>
/// <param name="Cells">Code cells that ran (the failed one included).</param>
/// <param name="CodeCells">Code cells in the notebook.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="Profile">smoke, quick or paper.</param>
/// <param name="Date">When it started (UTC).</param>
/// <param name="Machine">Where it ran.</param>
/// <param name="FailedCell">The cell that failed, or null.</param>
/// <param name="Error">What stopped it (one line), or null.</param>
/// <param name="CachedRuns">Training runs loaded from the run cache instead of trained (their time is not in <paramref name="Seconds"/>).</param>
public sealed record RunRecord(string Notebook, string Status, int Cells, int CodeCells, double Seconds, string Profile,
    DateTime Date, MachineInfo Machine, int? FailedCell = null, string? Error = null, int CachedRuns = 0)
{
    /// <summary>The status of a notebook whose every cell ran.</summary>
    public const string Ok = "ok";

    /// <summary>ok, interrupted (Ctrl-C) or failed.</summary>
    public static string StatusOf(NotebookResult r) => r.Succeeded ? Ok : r.Interrupted ? "interrupted" : "failed";

    /// <summary>The record of a finished run.</summary>
    public static RunRecord From(NotebookResult r) => new(r.Notebook.Name, StatusOf(r), r.CellsRun, r.CodeCells,
        Math.Round(r.Seconds, 2), r.Profile, r.StartedUtc, MachineInfo.Current, r.FailedCell, r.Error is { } e ? CellError.Summary(e) : null);
}

/// <summary>reports/timings.json: the latest run of every notebook that has a report.</summary>
public sealed record TimingsFile(DateTime Generated, IReadOnlyList<RunRecord> Notebooks)
{
    static readonly JsonSerializerOptions options = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Reads the file, or an empty one when it is missing or unreadable (it is rebuilt from this run).</summary>
    public static TimingsFile Read(string path)
    {
        try
        {
            if (File.Exists(path) && JsonSerializer.Deserialize<TimingsFile>(File.ReadAllText(path), options) is { Notebooks: not null } t)
                return t;
        }
        catch (JsonException) { }
        return new TimingsFile(DateTime.UtcNow, []);
    }

    /// <summary>
    /// This file with <paramref name="latest"/> replacing the records of the same notebooks. Records
    /// whose report is gone from <paramref name="reportsFolder"/> are dropped.
    /// </summary>
    public TimingsFile Merge(IEnumerable<RunRecord> latest, string reportsFolder)
    {
        var byName = Notebooks.ToDictionary(r => r.Notebook, StringComparer.Ordinal);
        foreach (var r in latest) byName[r.Notebook] = r;
        var kept = byName.Values
            .Where(r => File.Exists(Path.Combine(reportsFolder, r.Notebook + ".html")) || r.Status == "error")
            .OrderBy(r => r.Notebook, StringComparer.Ordinal)
            .ToList();
        return new TimingsFile(DateTime.UtcNow, kept);
    }

    /// <summary>Writes the file atomically.</summary>
    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, options) + "\n");
}
