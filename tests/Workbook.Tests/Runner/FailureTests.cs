using System.Text.Json.Nodes;
using Xunit;
using static Workbook.Tests.Runner.RunnerRun;

namespace Workbook.Tests.Runner;

/// <summary>Cells that throw or do not compile, and packages the workbook does not have.</summary>
[Collection(RunnerCollection.Name)]
public sealed class FailureTests(RunnerRun run)
{
    static JsonObject? Error(JsonObject cell) =>
        cell["outputs"]!.AsArray().Select(o => o!.AsObject()).SingleOrDefault(o => (string?)o["output_type"] == "error");

    [Fact]
    public void The_command_fails_and_names_each_failing_notebook_and_cell()
    {
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("FAILED: runner-error.ipynb failed at cell 3: System.InvalidOperationException: boom from the fixture", run.Console);
        Assert.Contains("FAILED: runner-compile-error.ipynb failed at cell 1: CompilationError", run.Console);
        Assert.Contains("FAILED: runner-unknown-package.ipynb failed at cell 1", run.Console);
        Assert.DoesNotContain("FAILED: runner-features", run.Console);
    }

    [Fact]
    public void A_runtime_exception_is_the_cells_error_output_and_later_cells_do_not_run()
    {
        var cells = run.CodeCells("runner-error");
        Assert.Null(Error(cells[0]));
        Assert.Equal("before the failure\n", Text(cells[0]["outputs"]!.AsArray().Last()!["text"]));

        var error = Error(cells[1])!;
        Assert.Equal("System.InvalidOperationException", (string?)error["ename"]);
        Assert.Equal("boom from the fixture", (string?)error["evalue"]);
        var trace = error["traceback"]!.AsArray().Select(l => (string?)l).ToList();
        Assert.Contains(trace, l => l!.Contains("runner-error cell 3:line 1"));
        Assert.DoesNotContain(trace, l => l!.Contains("Workbook.Cli.Runner") || l!.Contains("Microsoft.CodeAnalysis.Scripting"));

        Assert.Null((int?)cells[2]["execution_count"]);
        Assert.Empty(cells[2]["outputs"]!.AsArray());
        Assert.DoesNotContain("this cell must not run", run.Console);
    }

    [Fact]
    public void A_failed_notebook_still_gets_its_reports()
    {
        foreach (var name in new[] { "runner-error", "runner-compile-error", "runner-unknown-package" })
        {
            Assert.True(File.Exists(Path.Combine(run.Out, name + ".ipynb")), name);
            var html = File.ReadAllText(Path.Combine(run.Out, name + ".html"));
            Assert.Contains("class=\"badge bad\">failed<", html);
            Assert.Contains("<pre class=\"error\">", html);
        }
        Assert.Contains("Stopped at cell 3", File.ReadAllText(Path.Combine(run.Out, "runner-error.html")));
    }

    [Fact]
    public void A_compile_error_keeps_the_line_numbers_of_the_cell_despite_the_directive_lines()
    {
        var error = Error(run.CodeCells("runner-compile-error")[0])!;
        Assert.Equal("CompilationError", (string?)error["ename"]);
        // "int number = ..." is line 3 of the cell, after two #r lines that were blanked, not removed.
        Assert.Contains("runner-compile-error cell 1(3,14): error CS0029", (string?)error["evalue"]);
    }

    [Fact]
    public void An_unknown_package_is_a_clear_error_saying_how_to_add_it()
    {
        var cells = run.CodeCells("runner-unknown-package");
        var message = (string?)Error(cells[0])!["evalue"];
        Assert.Contains("'Not.A.Real.Package' 1.2.3 is not one the workbook references", message);
        Assert.Contains("<PackageVersion Include=\"Not.A.Real.Package\" Version=\"1.2.3\" />", message);
        Assert.Contains("Directory.Packages.props", message);
        Assert.Null((int?)cells[1]["execution_count"]);
    }
}
