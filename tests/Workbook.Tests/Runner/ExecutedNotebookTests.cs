using System.Text.Json.Nodes;
using Xunit;
using static Workbook.Tests.Runner.RunnerRun;

namespace Workbook.Tests.Runner;

/// <summary>The executed runner-features notebook: every kind of output, where and how it should be.</summary>
[Collection(RunnerCollection.Name)]
public sealed class ExecutedNotebookTests(RunnerRun run)
{
    const string Features = "runner-features";

    List<JsonObject> Outputs(int codeCell) =>
        run.CodeCells(Features)[codeCell - 1]["outputs"]!.AsArray().Select(o => o!.AsObject()).ToList();

    static JsonObject Data(JsonObject output) => output["data"]!.AsObject();

    [Fact]
    public void Every_code_cell_ran_in_order_with_its_execution_count()
    {
        var cells = run.CodeCells(Features);
        Assert.Equal(13, cells.Count);
        Assert.Equal(Enumerable.Range(1, 13).ToList(), cells.Select(c => (int)c["execution_count"]!).ToList());
    }

    [Fact]
    public void Polyglot_metadata_is_kept()
    {
        var nb = run.Executed(Features);
        Assert.Equal(".net-csharp", (string?)nb["metadata"]!["kernelspec"]!["name"]);
        Assert.Equal("csharp", (string?)nb["metadata"]!["polyglot_notebook"]!["kernelInfo"]!["defaultKernelName"]);
        Assert.All(run.CodeCells(Features), c => Assert.NotNull((string?)c["metadata"]!["polyglot_notebook"]!["kernelName"]));
        Assert.Equal("markdown", (string?)run.CodeCells(Features)[10]["metadata"]!["polyglot_notebook"]!["kernelName"]);
        Assert.Equal(4, (int?)nb["nbformat"]);
    }

    [Fact]
    public void Markdown_cells_are_kept_as_markdown()
    {
        var first = run.Executed(Features)["cells"]![0]!.AsObject();
        Assert.Equal("markdown", (string?)first["cell_type"]);
        Assert.StartsWith("# Runner features", Text(first["source"]));
        Assert.Null(first["outputs"]);
    }

    [Fact]
    public void Package_lines_list_the_packages_and_say_what_was_ignored()
    {
        var output = Assert.Single(Outputs(1));
        Assert.Equal("display_data", (string?)output["output_type"]);
        var text = Text(Data(output)["text/plain"]);
        Assert.Contains("TorchSharp-cpu, 0.107.0", text);
        Assert.Contains("Plotly.NET.Interactive is Polyglot's chart formatter", text);
        Assert.Contains("#i \"nuget: https://api.nuget.org/v3/index.json\" ignored", text);
        // The notebook's ../../bin/lib/Lib.dll is the build's own copy of the runner's Lib: no note about a different build.
        Assert.DoesNotContain("different build", text);
    }

    [Fact]
    public void Console_output_is_captured_as_stdout_and_stderr_streams()
    {
        var outputs = Outputs(2);
        Assert.Equal(2, outputs.Count);
        Assert.Equal(("stream", "stdout"), ((string?)outputs[0]["output_type"], (string?)outputs[0]["name"]));
        // The profile the runner was asked for reaches the notebook, and the notebook runs in its own folder.
        Assert.Equal("profile: smoke\ncurrent directory ends with fixtures: True\n", Text(outputs[0]["text"]));
        Assert.Equal(("stream", "stderr"), ((string?)outputs[1]["output_type"], (string?)outputs[1]["name"]));
        Assert.Equal("a line on stderr\n", Text(outputs[1]["text"]));
        // ...and none of it leaked into the runner's own console.
        Assert.DoesNotContain("a line on stderr", run.Console);
    }

    [Fact]
    public void Display_update_replaces_one_output_in_place()
    {
        var output = Assert.Single(Outputs(3));
        Assert.Equal("display_data", (string?)output["output_type"]);
        Assert.Equal("epoch 3 of 3", Text(Data(output)["text/plain"]));
    }

    [Fact]
    public void The_last_expression_is_the_cells_result_and_a_final_statement_shows_nothing()
    {
        var result = Assert.Single(Outputs(4));
        Assert.Equal("execute_result", (string?)result["output_type"]);
        Assert.Equal(4, (int?)result["execution_count"]);
        Assert.Equal("42", Text(Data(result)["text/plain"]));
        Assert.Empty(Outputs(5));
    }

    [Fact]
    public void Charts_are_plotly_figures_with_a_self_loading_html_fallback()
    {
        var outputs = Outputs(6);
        Assert.Equal(["display_data", "execute_result"], outputs.Select(o => (string?)o["output_type"]));
        foreach (var o in outputs)
        {
            var data = Data(o);
            var figure = data["application/vnd.plotly.v1+json"]!.AsObject();
            Assert.Single(figure["data"]!.AsArray());
            Assert.NotNull(figure["layout"]);
            Assert.Contains("newPlot", Text(data["text/html"]));
            Assert.StartsWith("Plotly chart", Text(data["text/plain"]));
        }
        Assert.Equal("points", (string?)Data(outputs[0])["application/vnd.plotly.v1+json"]!["data"]![0]!["name"]);
        Assert.Equal("squares", (string?)Data(outputs[1])["application/vnd.plotly.v1+json"]!["data"]![0]!["name"]);
    }

    [Fact]
    public void A_DataFrame_is_an_html_table()
    {
        var data = Data(Assert.Single(Outputs(7)));
        var html = Text(data["text/html"]);
        Assert.Contains("<table", html);
        Assert.Contains(">accuracy</th>", html);
        Assert.Contains(">0.875</td>", html);
        Assert.Contains("0.875", Text(data["text/plain"]));
    }

    [Fact]
    public void Library_values_render_through_their_formatter_source_and_pictures_add_png()
    {
        var outputs = Outputs(8);
        Assert.Equal(3, outputs.Count);
        var table = Data(outputs[0]);
        Assert.Contains("<table class=\"wb-table\"", Text(table["text/html"]));
        Assert.Contains("Fixture results", Text(table["text/plain"]));
        Assert.Contains("<strong>smoke</strong>", Text(Data(outputs[1])["text/html"]));
        var grid = Data(outputs[2]);
        Assert.Equal("execute_result", (string?)outputs[2]["output_type"]);
        var png = Convert.FromBase64String((string)grid["image/png"]!);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png.Take(4));
        Assert.Contains("wb-grid", Text(grid["text/html"]));
    }

    [Fact]
    public void Html_helper_time_magic_and_markdown_kernel_cells()
    {
        var html = Data(Assert.Single(Outputs(9)));
        Assert.Equal("<b id=\"html-helper\">bold from HTML()</b>", Text(html["text/html"]));
        var time = Text(Data(Assert.Single(Outputs(10)))["text/plain"]);
        Assert.Matches(@"^Wall time: \d+(\.\d+)?ms$", time);
        Assert.True(double.Parse(time[11..^2], System.Globalization.CultureInfo.InvariantCulture) >= 20, time);
        var markdown = Data(Assert.Single(Outputs(11)));
        Assert.Contains("<h2", Text(markdown["text/html"]));
    }

    [Fact]
    public void TorchSharp_computes_in_a_notebook() =>
        Assert.Equal("6", Text(Data(Assert.Single(Outputs(13)))["text/plain"]));

    [Fact]
    public void The_claims_table_writes_its_json_to_the_runners_out_folder_and_the_index_scores_it()
    {
        Assert.True(File.Exists(Path.Combine(run.Out, "runner-features.claims.json")));
        var index = File.ReadAllText(Path.Combine(run.Out, "index.html"));
        Assert.Contains("Claims vs reproduction", index);
        Assert.Contains("test accuracy", index);
        Assert.Contains("<a href=\"runner-features.html\">runner-features</a>", index);
    }

    [Fact]
    public void Training_progress_reaches_the_console_as_plain_lines_when_redirected()
    {
        Assert.Contains("fixture run: epoch 2/2 finished", run.Console);
        Assert.Contains("cell 13 (code cell 12/13)", run.Console);
    }

    [Fact]
    public void Assemblies_referenced_by_path_keep_one_type_identity_and_Lib_is_the_runners()
    {
        var cells = run.CodeCells("runner-assembly");
        Assert.All(cells, c => Assert.DoesNotContain(c["outputs"]!.AsArray(), o => (string?)o!["output_type"] == "error"));
        var identity = Text(cells[1]["outputs"]![0]!["data"]!["text/plain"]);
        Assert.Equal("True True Default", identity);
        var libLocation = Text(cells[2]["outputs"]!.AsArray().Last()!["data"]!["text/plain"]);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "Lib.dll"), libLocation);
        // nbformat 4.5 notebooks keep their cell ids.
        Assert.All(cells, c => Assert.False(string.IsNullOrEmpty((string?)c["id"])));
    }

    [Fact]
    public void Timings_list_every_notebook_with_machine_and_profile()
    {
        var timings = JsonNode.Parse(File.ReadAllText(Path.Combine(run.Out, "timings.json")))!;
        var notebooks = timings["notebooks"]!.AsArray().Select(n => n!.AsObject()).ToList();
        Assert.Equal(FixtureNames.Append("runner-assembly").Order(StringComparer.Ordinal), notebooks.Select(n => (string?)n["notebook"]));
        var features = notebooks.Single(n => (string?)n["notebook"] == Features);
        Assert.Equal("ok", (string?)features["status"]);
        Assert.Equal(13, (int?)features["cells"]);
        Assert.Equal("smoke", (string?)features["profile"]);
        Assert.True((double?)features["seconds"] > 0);
        Assert.Equal(Environment.ProcessorCount, (int?)features["machine"]!["cores"]);
        Assert.False(string.IsNullOrEmpty((string?)features["machine"]!["os"]));
        Assert.Empty(Directory.GetFiles(run.Out, "*.tmp", SearchOption.AllDirectories));
    }
}
