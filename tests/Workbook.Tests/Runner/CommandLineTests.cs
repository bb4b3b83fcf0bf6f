using Workbook.Cli.Commands;
using Workbook.Cli.Runner;
using Xunit;

namespace Workbook.Tests.Runner;

/// <summary>The command's arguments and the timings file the index is built from.</summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("--profile", "huge")]
    [InlineData("--out")]
    [InlineData("--frobnicate")]
    [InlineData("no-such-notebook.ipynb")]
    public void Usage_errors_exit_with_2_before_running_anything(params string[] args)
    {
        var profile = Environment.GetEnvironmentVariable("WORKBOOK_PROFILE");
        Assert.Equal(2, RunCommand.Run(args));
        // Nothing was set up for a run that never started.
        Assert.Equal(profile, Environment.GetEnvironmentVariable("WORKBOOK_PROFILE"));
    }

    [Fact]
    public void Timings_keep_earlier_notebooks_that_still_have_reports_and_replace_rerun_ones()
    {
        var folder = Directory.CreateTempSubdirectory("timings").FullName;
        try
        {
            var machine = new MachineInfo(2, "test OS", "x64");
            RunRecord Record(string name, string status, double seconds) =>
                new(name, status, 3, 3, seconds, "smoke", new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc), machine);
            File.WriteAllText(Path.Combine(folder, "01-a.html"), "");
            File.WriteAllText(Path.Combine(folder, "02-b.html"), "");
            var path = Path.Combine(folder, "timings.json");
            new TimingsFile(DateTime.UtcNow, [Record("01-a", "ok", 10), Record("02-b", "failed", 20), Record("03-gone", "ok", 5)]).Write(path);

            var merged = TimingsFile.Read(path).Merge([Record("02-b", "ok", 7)], folder);

            Assert.Equal(["01-a", "02-b"], merged.Notebooks.Select(r => r.Notebook));
            Assert.Equal(10, merged.Notebooks[0].Seconds);
            Assert.Equal(("ok", 7.0), (merged.Notebooks[1].Status, merged.Notebooks[1].Seconds));
            Assert.Equal(machine, merged.Notebooks[0].Machine);
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void An_unreadable_timings_file_starts_afresh()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "{ not json");
            Assert.Empty(TimingsFile.Read(path).Notebooks);
        }
        finally { File.Delete(path); }
    }
}
