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

    [Fact]
    public void Every_written_build_or_test_command_names_the_solution_or_a_project()
    {
        // Lib.csproj and Workbook.slnx sit side by side at the root, where a bare `dotnet build` stops with MSB1011.
        var files = new[] { "README.md", "environment.md", ".devcontainer/post-create.sh" }.Select(f => Path.Combine(Root, f))
            .Concat(Directory.GetFiles(Path.Combine(Root, "docs"), "*.md"));
        var bare = files.SelectMany(f => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), @"dotnet (build|test)\b([^`\n]*)")
                .Where(m => !System.Text.RegularExpressions.Regex.IsMatch(m.Groups[2].Value, @"^\s+\S+\.(slnx|csproj)\b"))
                .Select(m => $"{Path.GetRelativePath(Root, f)}: {m.Value}"))
            .ToList();
        Assert.True(bare.Count == 0, "commands that fail at the repository root (write dotnet build Workbook.slnx):\n" + string.Join("\n", bare));
    }

    [Fact]
    public void The_kernel_tools_are_pinned_and_restored_by_ci()
    {
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Root, ".config", "dotnet-tools.json")))!;
        Assert.Equal("0.3.259", (string?)manifest["tools"]!["dotnet-repl"]!["version"]);
        Assert.Equal("1.0.712001", (string?)manifest["tools"]!["microsoft.dotnet-interactive"]!["version"]);
        var ci = File.ReadAllText(Path.Combine(Root, ".ci", "run"));
        Assert.True(ci.IndexOf("dotnet tool restore", StringComparison.Ordinal) is var restore and >= 0 && restore < ci.IndexOf("eval \"$TEST_COMMAND\"", StringComparison.Ordinal),
            ".ci/run must restore the pinned tools before it runs the tests");
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
