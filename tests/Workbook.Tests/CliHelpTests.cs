using Xunit;

namespace Workbook.Tests;

/// <summary>`workbook COMMAND --help` answers with the command's usage for every command.</summary>
public class CliHelpTests
{
    [Theory]
    [InlineData("data")]
    [InlineData("models")]
    [InlineData("train")]
    [InlineData("bench")]
    [InlineData("run")]
    public void Help_prints_the_usage_of_the_command(string command)
    {
        foreach (var help in new[] { "--help", "-h" })
        {
            var run = WorkbookProcess.Run([command, help], Runtime.WorkbookPaths.Root, TimeSpan.FromMinutes(1));
            Assert.True(run.ExitCode == 0, $"workbook {command} {help} exited {run.ExitCode}:\n{run.Console}");
            Assert.Contains($"usage: workbook {command}", run.Console);
            Assert.DoesNotContain("error:", run.Console);
        }
    }
}
