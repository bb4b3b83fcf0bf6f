using Newtonsoft.Json.Linq;
using Plotly.NET;
using Workbook.Charts;
using Workbook.Training;
using Xunit;

namespace Workbook.Tests;

public class ChartTests
{
    static History H(params double[] acc) => new()
    {
        Epochs = acc.Select((a, i) => new EpochRecord { Epoch = i + 1, TrainAccuracy = a, TrainLoss = 1 - a, TestAccuracy = a - 0.01, TestLoss = 1.1 - a }).ToList(),
    };

    [Fact]
    public void Curves_have_one_line_per_run_and_skip_missing_values()
    {
        var chart = Plots.Curves([("a", H(0.5, 0.6, 0.7)), ("b", H(0.4, double.NaN, 0.8))], "train_acc", "accuracy");
        var json = GenericChart.toJson(chart);
        Assert.Contains("\"name\":\"a\"", json);
        Assert.Contains("\"name\":\"b\"", json);
        Assert.Contains("\"x\":[1,3]", json); // epoch 2 of b was NaN
        Assert.Contains("accuracy", json);
    }

    [Fact]
    public void Confusion_heatmap_carries_counts_and_class_names()
    {
        var m = new[] { new[] { 5, 1 }, new[] { 2, 7 } };
        var json = GenericChart.toJson(Plots.Heatmap(m, ["cat", "dog"], ["cat", "dog"], "confusion"));
        Assert.Contains("\"z\":[[5,1],[2,7]]", json);
        Assert.Contains("\"dog\"", json);
        Assert.Contains("annotations", json);
    }

    [Fact]
    public void Scatter_groups_points_into_one_trace_per_group()
    {
        var json = GenericChart.toJson(Plots.Scatter([0, 1, 2, 3], [0, 1, 0, 1], [0, 1, 0, 1], g => $"class {g}", "t-SNE"));
        Assert.Contains("class 0", json);
        Assert.Contains("class 1", json);
        Assert.Contains("\"x\":[0.0,2.0]", json.Replace("\"x\":[0,2]", "\"x\":[0.0,2.0]"));
    }

    [Fact]
    public void Train_versus_test_and_other_charts_build()
    {
        var run = new TrainedRun { Name = "r", Spec = new TrainSpec { Model = "net1" }, History = H(0.5, 0.7) };
        var versus = GenericChart.toJson(Plots.TrainVersus(run));
        Assert.Contains("\"name\":\"test\"", versus);
        Assert.Contains("r: loss", versus);
        Assert.Throws<ArgumentException>(() => Plots.TrainVersus(run, "validation"));
        Assert.Contains("\"barmode\":\"overlay\"", GenericChart.toJson(Plots.Histograms([("w", [0.1, 0.2, -0.3])], "weights", "value")));
        Assert.Contains("\"type\":\"bar\"", GenericChart.toJson(Plots.Bars(["a", "b"], [("s", [1.0, 2.0])], "bars")));
        Assert.Contains("\"type\":\"log\"", GenericChart.toJson(Plots.XY([1, 10, 100], [1, 2, 3], "lr", "t", "x", "y", logX: true)));
    }

    static JObject Figure(GenericChart chart) => JObject.Parse(GenericChart.toFigureJson(chart));

    [Fact]
    public void A_grid_puts_each_heatmaps_numbers_and_colour_bar_on_its_own_panel()
    {
        var m = new[] { new[] { 5, 1 }, new[] { 2, 7 } };
        var d = new[] { new[] { -3, 1 }, new[] { 2, 0 } };
        var grid = Plots.Grid([Plots.Heatmap(m, ["cat", "dog"], ["cat", "dog"], "counts"),
            Plots.Heatmap(d, ["cat", "dog"], ["cat", "dog"], "difference", scale: HeatmapScale.Diverging)], 1, 2, "two", null, 500);
        var figure = Figure(grid);
        var refs = figure["layout"]!["annotations"]!.Where(a => (string?)a["xref"] != "paper").Select(a => $"{a["xref"]}/{a["yref"]}").ToList();
        // Four numbers on each panel's own axes (Plotly.NET's Chart.Grid left all eight on x/y).
        Assert.Equal(4, refs.Count(r => r == "x/y"));
        Assert.Equal(4, refs.Count(r => r == "x2/y2"));
        var traces = figure["data"]!;
        Assert.Equal(["x", "x2"], traces.Select(t => (string?)t["xaxis"]));
        // Each colour bar beside its own panel: the left one ends before the right panel starts.
        double leftBar = (double)traces[0]!["colorbar"]!["x"]!, rightDomainStart = (double)figure["layout"]!["xaxis2"]!["domain"]![0]!;
        Assert.True(leftBar < rightDomainStart, $"left colour bar at {leftBar}, right panel from {rightDomainStart}");
        Assert.Equal(0, (int)traces[1]!["zmid"]!);
        Assert.Null(traces[0]!["zmid"]);
        // Every panel titled, axes titled, no fixed width.
        var texts = figure["layout"]!["annotations"]!.Select(a => (string?)a["text"]).ToList();
        Assert.Contains("<b>counts</b>", texts);
        Assert.Contains("<b>difference</b>", texts);
        Assert.Equal("predicted", (string?)figure["layout"]!["xaxis2"]!["title"]!["text"]);
        Assert.Equal("true", (string?)figure["layout"]!["yaxis"]!["title"]!["text"]);
        Assert.Null(figure["layout"]!["width"]);
        // Polyglot's formatter (Plotly.NET.Interactive) draws charts from toChartHTML: the same panels there.
        var html = GenericChart.toChartHTML(grid);
        Assert.Contains("\"xref\":\"x2\"", html);
        Assert.Contains("\"responsive\":true", html);
        Assert.DoesNotContain("style=\"width", html);
    }

    [Fact]
    public void A_grid_gives_each_series_one_colour_and_one_legend_entry()
    {
        var runs = new[] { ("a", H(0.5, 0.6)), ("b", H(0.4, 0.8)) };
        var figure = Figure(Plots.Grid([Plots.Curves(runs, "train_acc"), Plots.Curves(runs, "test_acc")], 1, 2, "both"));
        var traces = figure["data"]!.ToList();
        Assert.Equal(4, traces.Count);
        Assert.Equal([true, true, false, false], traces.Select(t => (bool?)t!["showlegend"] ?? true));
        foreach (var name in new[] { "a", "b" })
        {
            var colours = traces.Where(t => (string?)t!["name"] == name).Select(t => (string?)t!["line"]!["color"]).Distinct().ToList();
            Assert.Single(colours);
            Assert.All(traces.Where(t => (string?)t!["name"] == name), t => Assert.Equal(name, (string?)t!["legendgroup"]));
        }
        Assert.NotEqual((string?)traces[0]!["line"]!["color"], (string?)traces[1]!["line"]!["color"]);
    }

    [Fact]
    public void A_grid_refuses_a_panel_without_a_title_and_charts_that_do_not_fit()
    {
        var untitled = Plots.XY([1.0, 2.0], [1.0, 2.0], "s", "", "x", "y");
        var e = Assert.Throws<ArgumentException>(() => Plots.Grid([untitled, untitled], 1, 2, "t"));
        Assert.Contains("no title", e.Message);
        Assert.Throws<ArgumentException>(() => Plots.Grid([untitled, untitled, untitled], 1, 2, "t", ["a", "b", "c"]));
    }
}
