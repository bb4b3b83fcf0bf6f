using System.Diagnostics;

namespace Workbook.Tests;

/// <summary>The outcome of one <c>workbook</c> command run as a process of its own.</summary>
public sealed record WorkbookProcess(int ExitCode, string Console, double Seconds)
{
    /// <summary>
    /// Runs the test build's workbook.dll with <paramref name="args"/> in <paramref name="workingDirectory"/>,
    /// WORKBOOK_ROOT set to the repository and WORKBOOK_PROFILE / WORKBOOK_OUT cleared (then set from
    /// <paramref name="environment"/>); kills it after <paramref name="timeout"/>.
    /// </summary>
    public static WorkbookProcess Run(IEnumerable<string> args, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var settings = new Dictionary<string, string?> { ["WORKBOOK_PROFILE"] = null, ["WORKBOOK_OUT"] = null, ["WORKBOOK_ROOT"] = Runtime.WorkbookPaths.Root };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) settings[k] = v;
        var run = Dotnet(new[] { "exec", Path.Combine(AppContext.BaseDirectory, "workbook.dll") }.Concat(args), workingDirectory, timeout, settings);
        if (run.TimedOut) throw new TimeoutException($"workbook {string.Join(' ', args)} did not finish in {timeout.TotalMinutes:F0} minutes");
        return new WorkbookProcess(run.ExitCode, run.Console, run.Seconds);
    }

    /// <summary>
    /// Runs <c>dotnet</c> with <paramref name="args"/>; <paramref name="environment"/> sets variables (a null value
    /// removes one). A run past <paramref name="timeout"/> is killed with its children and comes back TimedOut.
    /// </summary>
    public static (bool TimedOut, int ExitCode, string Console, double Seconds) Dotnet(IEnumerable<string> args, string workingDirectory,
        TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>())
            if (v == null) start.Environment.Remove(k); else start.Environment[k] = v;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (true, -1, "", clock.Elapsed.TotalSeconds);
        }
        process.WaitForExit();
        return (false, process.ExitCode, stdout.Result + stderr.Result, clock.Elapsed.TotalSeconds);
    }
}
