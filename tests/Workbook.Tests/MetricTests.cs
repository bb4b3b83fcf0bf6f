using Workbook.Training;
using Xunit;

namespace Workbook.Tests;

/// <summary>Metric names are defined once; the names notebooks write still work, and a typo fails at once.</summary>
public class MetricTests
{
    static readonly History History = new()
    {
        Epochs =
        [
            new() { Epoch = 1, TrainLoss = 0.9, TrainAccuracy = 0.6, ValidationAccuracy = 0.55, LearningRate = 0.1, Seconds = 2 },
            new() { Epoch = 2, TrainLoss = 0.5, TrainAccuracy = 0.8, ValidationAccuracy = 0.70, TestAccuracy = 0.72, LearningRate = 0.05, Seconds = 3 },
        ],
    };

    [Fact]
    public void A_name_and_its_metric_read_the_same_numbers()
    {
        foreach (var metric in Metric.All)
            Assert.Equal(History.Series(metric), History.Series(metric.Name));
        Assert.Equal([0.9, 0.5], History.Series(Metric.TrainLoss));
        Assert.Equal(0.72, History.At(2, "test_acc"));
        Assert.Null(History.At(1, Metric.TestAccuracy));
        Assert.Equal(2, History.FirstEpochReaching(Metric.ValidationAccuracy, 0.7));
        Assert.Equal("validation accuracy", Metric.ValidationAccuracy.Title);
        Assert.Equal(Metric.All.Count, Metric.All.Select(m => m.Name).Distinct().Count());
    }

    [Fact]
    public void An_unknown_name_fails_where_it_is_written()
    {
        var e = Assert.Throws<ArgumentException>(() => History.At(1, "test_accuracy"));
        Assert.Contains("unknown metric 'test_accuracy'", e.Message);
        Assert.Contains("test_acc", e.Message);
    }
}
