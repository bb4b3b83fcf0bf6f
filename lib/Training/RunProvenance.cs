using System.Diagnostics;
using System.Runtime.InteropServices;
using Workbook.Runtime;

namespace Workbook.Training;

/// <summary>Where a result shown now came from.</summary>
public enum RunSource
{
    /// <summary>Trained in this process.</summary>
    Trained,
    /// <summary>Loaded from this machine's run cache (runs/).</summary>
    LocalCache,
    /// <summary>Loaded from the results published in the repository (results/).</summary>
    Published,
}

/// <summary>How, where and when a run was trained: kept with the run in the cache and in published records.</summary>
public sealed record RunProvenance
{
    /// <summary>When training finished (UTC).</summary>
    public DateTime TrainedUtc { get; init; }
    /// <summary>The git commit of the workbook that trained it ("+dirty" when the tree had changes), or "unknown".</summary>
    public string Commit { get; init; } = "";
    /// <summary>The processor (or GPU) and core count, e.g. "AMD EPYC 9454P, 2 cores".</summary>
    public string Machine { get; init; } = "";
    /// <summary>The compute device as the workbook describes it, e.g. "cpu (2 threads)".</summary>
    public string Device { get; init; } = "";
    /// <summary>libtorch's intra-op threads: CPU results are bit-reproducible for a fixed count.</summary>
    public int Threads { get; init; }
    /// <summary>Wall-clock seconds from the start of training to the stored result (evaluations included).</summary>
    public double WallSeconds { get; init; }
    /// <summary>The 1-minute load average when training finished (Linux; -1 elsewhere): a busy machine trains slower.</summary>
    public double LoadAverage { get; init; } = -1;
    /// <summary>The workbook profile in force (smoke, quick, paper).</summary>
    public string Profile { get; init; } = "";
    /// <summary>The notebook that asked for the run ("cli" or "tests" outside notebooks).</summary>
    public string Notebook { get; init; } = "";
    /// <summary>Operating system and .NET runtime.</summary>
    public string Platform { get; init; } = "";

    /// <summary>The provenance of a run that has just been trained here.</summary>
    public static RunProvenance Now(double wallSeconds) => new()
    {
        TrainedUtc = DateTime.UtcNow,
        Commit = GitCommit.Value,
        Machine = MachineName.Value,
        Device = Compute.Description,
        Threads = TorchSharp.torch.get_num_threads(),
        WallSeconds = wallSeconds,
        LoadAverage = ReadLoadAverage(),
        Profile = Workbook.Runtime.Profile.Current.ToString(),
        Notebook = RunContext.Notebook,
        Platform = $"{RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}",
    };

    static readonly Lazy<string> GitCommit = new(ReadCommit);
    static readonly Lazy<string> MachineName = new(ReadMachine);

    /// <summary>Names the commit where the working copy has no git history (a packaged workbook on a GPU box).</summary>
    public const string CommitVariable = "WORKBOOK_COMMIT";

    static string ReadCommit()
    {
        if (Environment.GetEnvironmentVariable(CommitVariable) is { Length: > 0 } given) return given.Trim();
        string? Git(string args)
        {
            try
            {
                var info = new ProcessStartInfo("git", args) { WorkingDirectory = WorkbookPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
                using var git = Process.Start(info);
                if (git is null) return null;
                var output = git.StandardOutput.ReadToEndAsync();
                if (!git.WaitForExit(10_000)) { git.Kill(); return null; } // never hang on a broken repository
                return git.ExitCode == 0 ? output.Result.Trim() : null;
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException) { return null; }
        }
        var head = Git("rev-parse --short=12 HEAD");
        if (head is null) return "unknown";
        // Untracked files (results/, runs/) do not change what the code computes; tracked edits do.
        var changes = Git("status --porcelain --untracked-files=no");
        return string.IsNullOrEmpty(changes) ? head : head + "+dirty";
    }

    static double ReadLoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0],
                System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var load) ? load : -1;
        }
        catch (IOException) { return -1; }
    }

    static string ReadMachine()
    {
        string cpu = RuntimeInformation.ProcessArchitecture.ToString();
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException) { }
        var gpu = Compute.Device.type == TorchSharp.DeviceType.CUDA ? $", GPU: {Compute.Description}" : "";
        return $"{cpu}, {Environment.ProcessorCount} cores{gpu}";
    }
}

/// <summary>What the code running now belongs to; the notebook runner sets it per notebook.</summary>
public static class RunContext
{
    /// <summary>The environment variable that names the notebook (the runner sets it; a kernel may too).</summary>
    public const string NotebookVariable = "WORKBOOK_NOTEBOOK";

    /// <summary>The notebook's file name without extension, or "cli" outside notebooks.</summary>
    public static string Notebook =>
        Override ?? (Environment.GetEnvironmentVariable(NotebookVariable) is { Length: > 0 } n ? n : "cli");

    /// <summary>When set, wins over the environment (the runner sets it for each notebook it runs).</summary>
    public static string? Override { get; set; }
}
