using System.Diagnostics;
using Workbook.Runtime;
using Xunit;

namespace Workbook.Tests;

/// <summary>The project's own wiring: README's commands, CI, the backend switch.</summary>
public class ProjectTests
{
    static string Root => WorkbookPaths.Root;

    [Fact]
    public void Ci_runs_the_test_command_that_README_gives()
    {
        var readme = File.ReadAllLines(Path.Combine(Root, "README.md"));
        var testCommand = readme.First(l => l.StartsWith("    dotnet test", StringComparison.Ordinal)).Trim();
        var ci = File.ReadAllText(Path.Combine(Root, ".ci", "run"));
        // .ci/run extracts the indented `dotnet test` line from README and evals it; both must agree on it.
        Assert.Contains("sed -n 's/^    \\(dotnet test .*\\)$/\\1/p' README.md", ci);
        Assert.Equal("dotnet test Workbook.slnx", testCommand);
        Assert.Contains("dataset-fashion-mnist", ci);
        Assert.Contains("set -euo pipefail", ci);
        Assert.Contains(readme, l => l.Trim() == "dotnet run --project tools/Workbook -- run");
    }

    static string PackageReferences(string backend)
    {
        var psi = new ProcessStartInfo("dotnet", $"msbuild Lib.csproj -getItem:PackageReference -p:TorchBackend={backend}")
        { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return output;
    }

    [Fact]
    public void The_backend_switch_picks_the_libtorch_package_without_restoring_it()
    {
        var cpu = PackageReferences("cpu");
        var cuda = PackageReferences("cuda");
        if (OperatingSystem.IsLinux())
        {
            Assert.Contains("libtorch-cpu-linux-x64", cpu);
            Assert.DoesNotContain("TorchSharp-cuda", cpu);
            Assert.Contains("TorchSharp-cuda-linux", cuda);
            Assert.DoesNotContain("libtorch-cpu-linux-x64", cuda);
        }
        // A wrong value stops the build with a clear error (the check is a target, so run one).
        Assert.Contains("TorchBackend must be 'cpu' or 'cuda'", PackageReferences("rocm -t:CollectPackageReferences"));
    }

    [Fact]
    public void README_has_the_sections_that_commands_write()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        foreach (var name in new[] { "timings-smoke", "timings-quick", "scorecard", "paper-timings", "bench" })
        {
            Assert.Contains($"<!-- {name}:begin -->", readme);
            Assert.Contains($"<!-- {name}:end -->", readme);
        }
    }

    [Fact]
    public void A_README_section_is_replaced_atomically_and_only_between_its_markers()
    {
        var dir = Directory.CreateTempSubdirectory("wb-readme").FullName;
        var path = Path.Combine(dir, "README.md");
        File.WriteAllText(path, "intro\n<!-- x:begin -->\nold\n<!-- x:end -->\noutro\n");
        Assert.True(Workbook.Cli.ReadmeSection.Replace("x", "new table", path));
        Assert.Equal("intro\n<!-- x:begin -->\nnew table\n<!-- x:end -->\noutro\n", File.ReadAllText(path));
        Assert.False(Workbook.Cli.ReadmeSection.Replace("missing", "y", path));
        Assert.Single(Directory.GetFiles(dir));
    }
}
