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
        Assert.Contains("test loss", GenericChart.toJson(Plots.TrainVersus(run)));
        Assert.Contains("\"barmode\":\"overlay\"", GenericChart.toJson(Plots.Histograms([("w", [0.1, 0.2, -0.3])], "weights", "value")));
        Assert.Contains("\"type\":\"bar\"", GenericChart.toJson(Plots.Bars(["a", "b"], [("s", [1.0, 2.0])], "bars")));
        Assert.Contains("\"type\":\"log\"", GenericChart.toJson(Plots.XY([1, 10, 100], [1, 2, 3], "lr", "t", "x", "y", logX: true)));
    }
}
