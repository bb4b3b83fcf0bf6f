using System.Diagnostics;
using System.Reflection;
using Xunit.Sdk;

namespace Workbook.Tests;

/// <summary>
/// Watches the test host's resident memory. Every test's start and peak go to
/// <c>TestResults/memory-peaks.tsv</c> (so the heavy tests can be named), and a test host that grows past the
/// cap stops at once with a message naming the running test, instead of being killed by the machine's OOM
/// killer with nothing said (a CI run once grew to 24 GB on a 24 GiB machine and died as "Test host process
/// crashed"). Cap: <see cref="CapVariable"/> in GB, else 60% of the machine's memory.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class MemoryGuardAttribute : BeforeAfterTestAttribute
{
    /// <inheritdoc/>
    public override void Before(MethodInfo methodUnderTest) =>
        MemoryGuard.Started($"{methodUnderTest.DeclaringType?.Name}.{methodUnderTest.Name}");

    /// <inheritdoc/>
    public override void After(MethodInfo methodUnderTest) => MemoryGuard.Finished();
}

/// <summary>The watchdog behind <see cref="MemoryGuardAttribute"/>: one background thread sampling every 500 ms.</summary>
public static class MemoryGuard
{
    /// <summary>The environment variable that sets the cap in GB (e.g. 12).</summary>
    public const string CapVariable = "WORKBOOK_TEST_MEMORY_CAP_GB";

    static readonly object Gate = new();
    static string? current;
    static long startBytes, peakBytes;
    static Stopwatch clock = new();
    static Thread? watcher;

    /// <summary>The cap in bytes: the variable's value, else 60% of what the machine has.</summary>
    public static long CapBytes { get; } = Cap(Environment.GetEnvironmentVariable(CapVariable),
        GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);

    /// <summary>The cap for a variable's text and the machine's memory; a bad value is an error that says how to fix it.</summary>
    public static long Cap(string? text, long machineBytes)
    {
        if (string.IsNullOrWhiteSpace(text)) return (long)(machineBytes * 0.6);
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var gb) && gb > 0)
            return (long)(gb * (1L << 30));
        throw new ArgumentException($"{CapVariable}={text}: give the test host's memory cap in GB, a number above 0 (e.g. 12)");
    }

    /// <summary>The message that stops the run when <paramref name="residentBytes"/> is over the cap; null while under it.</summary>
    public static string? Verdict(long residentBytes, long capBytes, string? test, double seconds) =>
        residentBytes <= capBytes ? null
            : $"memory guard: the test host holds {residentBytes / 1e9:F2} GB resident, over the cap of {capBytes / 1e9:F2} GB " +
              $"({CapVariable}), {(test != null ? $"while running {test} (for {seconds:F0} s)" : "between tests")}; " +
              "stopping the run before the machine's OOM killer does";

    /// <summary>
    /// This process's resident memory: /proc/self/statm's second field (pages), read through one handle kept
    /// open into one buffer, so that sampling allocates nothing (a test counts this process's page faults).
    /// </summary>
    public static long ResidentBytes()
    {
        lock (StatmBuffer)
        {
            try
            {
                statm ??= File.OpenHandle("/proc/self/statm");
                int n = RandomAccess.Read(statm, StatmBuffer, 0);
                int i = 0;
                while (i < n && StatmBuffer[i] != ' ') i++; // skip the total size
                long pages = 0;
                for (i++; i < n && StatmBuffer[i] is >= (byte)'0' and <= (byte)'9'; i++) pages = pages * 10 + (StatmBuffer[i] - '0');
                return pages * Environment.SystemPageSize;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                return Environment.WorkingSet; // not Linux
            }
        }
    }

    static readonly byte[] StatmBuffer = new byte[128];
    static Microsoft.Win32.SafeHandles.SafeFileHandle? statm;

    /// <summary>The per-test log of this test run: test, resident MB at its start, peak MB, seconds.</summary>
    public static string LogPath => Path.Combine(AppContext.BaseDirectory, "TestResults", "memory-peaks.tsv");

    internal static void Started(string test)
    {
        lock (Gate)
        {
            if (watcher == null)
            {
                try { File.Delete(LogPath); } catch (IOException) { } // one log per test run
                watcher = StartWatcher();
            }
            current = test;
            startBytes = peakBytes = ResidentBytes();
            clock = Stopwatch.StartNew();
        }
    }

    internal static void Finished()
    {
        string? test; long start, peak; double seconds;
        lock (Gate)
        {
            peakBytes = Math.Max(peakBytes, ResidentBytes());
            (test, start, peak, seconds) = (current, startBytes, peakBytes, clock.Elapsed.TotalSeconds);
            current = null;
        }
        try
        {
            var path = LogPath;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (!File.Exists(path)) File.WriteAllText(path, "test\tstart_mb\tpeak_mb\tseconds\n");
            File.AppendAllText(path, $"{test}\t{start >> 20}\t{peak >> 20}\t{seconds:F1}\n");
        }
        catch (IOException) { } // the log is a diagnosis aid; a full disk must not fail a test
    }

    static Thread StartWatcher()
    {
        var thread = new Thread(() =>
        {
            while (true)
            {
                Thread.Sleep(500);
                long rss = ResidentBytes();
                string? message;
                lock (Gate)
                {
                    peakBytes = Math.Max(peakBytes, rss);
                    message = Verdict(rss, CapBytes, current, clock.Elapsed.TotalSeconds);
                }
                if (message != null)
                {
                    Console.Error.WriteLine(message);
                    Environment.FailFast(message);
                }
            }
        }) { IsBackground = true, Name = "memory guard" };
        thread.Start();
        return thread;
    }
}
