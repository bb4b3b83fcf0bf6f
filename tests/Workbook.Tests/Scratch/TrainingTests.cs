using Workbook.Scratch;
using Xunit;
using static TorchSharp.torch;

namespace Workbook.Tests.Scratch;

public class TrainingTests
{
    static readonly ScratchConfig Short = ScratchConfig.SoftmaxBaseline with { LearningRate = 0.1, Epochs = 2 };

    [Fact]
    public void A_short_real_data_run_beats_chance_and_is_deterministic()
    {
        var first = ScratchTrainer.Train(Short, ScratchData.Train, ScratchData.Validation, ScratchData.Test);
        var second = ScratchTrainer.Train(Short, ScratchData.Train, ScratchData.Validation, ScratchData.Test);

        Assert.False(first.Diverged);
        Assert.Equal(2, first.History.Count);
        Assert.True(first.TestAccuracy > 0.60, $"test accuracy {first.TestAccuracy:P1}");
        // Identical numbers every time (wall-clock seconds aside).
        Assert.Equal(first.History.Epochs.Select(e => e with { Seconds = 0 }), second.History.Epochs.Select(e => e with { Seconds = 0 }));
        Assert.Equal(first.TestPredictions, second.TestPredictions);
        Assert.Equal(first.TrainAccuracy, second.TrainAccuracy);
    }

    [Fact]
    public void The_reports_sigmoid_mse_net_learns_too()
    {
        var config = ScratchConfig.Report with { LearningRate = 0.3, Epochs = 2 };
        var result = ScratchTrainer.Train(config, ScratchData.Train, ScratchData.Validation, ScratchData.Test);
        Assert.True(result.TestAccuracy > 0.60, $"test accuracy {result.TestAccuracy:P1}");
    }

    [Fact]
    public void Result_carries_predictions_and_three_weight_snapshots()
    {
        var result = ScratchTrainer.Train(Short, ScratchData.Train, ScratchData.Validation, ScratchData.Test);
        Assert.Equal(ScratchData.Test.Count, result.TestPredictions.Length);
        var accuracy = result.TestPredictions.Zip(ScratchData.Test.LabelArray()).Count(p => p.First == p.Second) / (double)ScratchData.Test.Count;
        Assert.Equal(result.TestAccuracy!.Value, accuracy, 12);
        Assert.Equal(["init", "epoch 1", "final"], result.Snapshots.Select(s => s.Label));
        Assert.All(result.Snapshots, s => Assert.Equal(784 * 256, s.Values.Length));
        Assert.NotEqual(result.Snapshot("init")!.Values, result.Snapshot("final")!.Values);
        Assert.Equal(ScratchTrainer.Predict(result.Network!, ScratchData.Test), result.TestPredictions);
        Assert.Equal(result.TestAccuracy!.Value, ScratchTrainer.Evaluate(result.Network!, ScratchData.Test).Accuracy, 12);
    }

    [Fact]
    public void A_huge_learning_rate_is_reported_as_diverged_without_an_exception()
    {
        var config = ScratchConfig.SoftmaxBaseline with { LearningRate = 1e4, Epochs = 3 };
        var result = ScratchTrainer.Train(config, ScratchData.Train, ScratchData.Validation, ScratchData.Test);
        Assert.True(result.Diverged);
        Assert.Equal(1, result.DivergedAtEpoch);
        Assert.Equal(1, result.History.Count);                   // stopped at the first non-finite epoch
        Assert.True(double.IsNaN(result.History.Epochs[0].TrainLoss) || !result.Network!.IsFinite());
        Assert.InRange(result.TestAccuracy!.Value, 0.0, 0.2);    // what a broken net predicts: about chance
        Assert.Equal(ScratchData.Test.Count, result.TestPredictions.Length);
    }

    [Fact]
    public void One_hand_written_epoch_equals_one_autograd_epoch_in_float64()
    {
        // Same start, same batches: after a whole epoch of SGD with L2 the parameters agree to rounding.
        var config = ScratchConfig.Report with { HiddenSizes = [32, 16], L2 = 1e-3, LearningRate = 0.5, BatchSize = 50, DType = ScalarType.Float64 };
        var comparison = ScratchBenchmark.CompareEpoch(config, ScratchData.Train.Subset(500, seed: 3), repeats: 1);
        Assert.True(comparison.MaxParameterDifference < 1e-10, $"max difference {comparison.MaxParameterDifference}");
    }

    [Fact]
    public void Invalid_combinations_are_refused_with_a_clear_message()
    {
        var e = Assert.Throws<ArgumentException>(() => ScratchTrainer.Train(new ScratchConfig { Loss = ScratchLoss.Bce, OutputActivation = ScratchActivation.Softmax }, ScratchData.Train));
        Assert.Contains("sigmoid", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<ArgumentException>(() => new ScratchConfig { Loss = ScratchLoss.CrossEntropy }.Validate());
        Assert.Throws<ArgumentException>(() => new ScratchConfig { HiddenActivation = ScratchActivation.Softmax }.Validate());
    }
}
