using System.Diagnostics;
using Workbook.Training;
using Xunit;

namespace Workbook.Tests;

[Collection(TrainingCollection.Name)]
public class TrainerTests
{
    static readonly TrainSpec Small = new() { Name = "small mlp", Model = "net1", Epochs = 2, Seed = 7 };

    [Fact]
    public void Short_real_data_run_clearly_beats_chance()
    {
        var train = TestData.Real.Train.Subset(3000, seed: 1);
        var test = TestData.Real.Test.Subset(1000, seed: 1);
        var run = Trainer.Train(Small, train, test: test, cache: new RunCache(TestData.TempStore()));
        Assert.False(run.Diverged);
        Assert.Equal(2, run.EpochsRun);
        Assert.True(run.TestAccuracy > 0.65, $"test accuracy {run.TestAccuracy:P1} should be far above the 10% of chance");
        Assert.Equal(1000, run.Test!.Confusion.Sum(r => r.Sum()));
    }

    [Fact]
    public void Same_seed_gives_the_same_metrics_and_another_seed_does_not()
    {
        var train = TestData.Real.Train.Subset(2000, seed: 2);
        var (tr, val) = train.Split(0.2, seed: 3);
        var spec = Small with { Model = "net4" }; // dropout: the seed must fix it too
        var a = Trainer.Train(spec, tr, val, cache: new RunCache(TestData.TempStore()));
        var b = Trainer.Train(spec, tr, val, cache: new RunCache(TestData.TempStore()));
        var c = Trainer.Train(spec with { Seed = 8 }, tr, val, cache: new RunCache(TestData.TempStore()));
        Assert.Equal(a.History.Series("train_loss"), b.History.Series("train_loss"));
        Assert.Equal(a.History.Series("val_acc"), b.History.Series("val_acc"));
        Assert.Equal(a.Validation!.Predictions, b.Validation!.Predictions);
        Assert.NotEqual(a.History.Series("train_loss"), c.History.Series("train_loss"));
    }

    [Fact]
    public void A_second_request_loads_from_the_cache_and_a_corrupt_entry_is_retrained()
    {
        var store = TestData.TempStore();
        var train = TestData.Real.Train.Subset(1000, seed: 4);
        var test = TestData.Real.Test.Subset(500, seed: 4);
        var first = Trainer.Train(Small, train, test: test, cache: new RunCache(store));
        Assert.False(first.FromCache);

        var watch = Stopwatch.StartNew();
        var second = Trainer.Train(Small with { Name = "renamed" }, train, test: test, cache: new RunCache(store));
        Assert.True(second.FromCache);
        Assert.Equal("renamed", second.Name);
        Assert.Equal(first.Test!.Predictions, second.Test!.Predictions);
        Assert.Equal(first.History.Series("train_loss"), second.History.Series("train_loss"));
        // The loaded weights are the trained ones: evaluating them again gives the stored predictions.
        var again = Workbook.Evaluation.Evaluator.Evaluate(second.Model!, test);
        Assert.Equal(first.Test.Predictions, again.Predictions);

        // Damage the weights file: the entry must be detected, discarded and trained again.
        var weights = Path.Combine(store.Root, first.Key, "weights.bin");
        var bytes = File.ReadAllBytes(weights);
        bytes[bytes.Length / 2] ^= 0xff;
        File.WriteAllBytes(weights, bytes);
        var third = Trainer.Train(Small, train, test: test, cache: new RunCache(store));
        Assert.False(third.FromCache);
        Assert.Equal(first.Test.Predictions, third.Test!.Predictions);
        Assert.True(store.Open(first.Key) != null);

        // A half-written entry (no manifest) is not taken for a run either.
        Directory.Delete(Path.Combine(store.Root, first.Key), true);
        Directory.CreateDirectory(Path.Combine(store.Root, first.Key));
        File.WriteAllText(Path.Combine(store.Root, first.Key, "run.json"), "{");
        Assert.False(Trainer.Train(Small, train, test: test, cache: new RunCache(store)).FromCache);
    }

    [Fact]
    public void A_diverging_run_is_marked_diverged_without_an_exception()
    {
        var train = TestData.Real.Train.Subset(1000, seed: 5);
        var test = TestData.Real.Test.Subset(300, seed: 5);
        var spec = new TrainSpec { Model = "net2", Optimizer = OptimizerKind.Sgd, LearningRate = 1e6, Epochs = 3 };
        var run = Trainer.Train(spec, train, test: test, cache: new RunCache(TestData.TempStore()));
        Assert.True(run.Diverged);
        Assert.Equal(1, run.DivergedAtEpoch);
        // Diverged stays diverged: no accuracy and no finite loss, never the 10% and ln C of zeroed outputs.
        Assert.True(double.IsNaN(run.TestAccuracy));
        Assert.True(double.IsNaN(run.Test!.Loss));
        Assert.Equal(run.Test.Count, run.Test.NonFinite);
    }

    [Fact]
    public void Early_stopping_stops_when_validation_loss_stalls()
    {
        var train = TestData.Real.Train.Subset(1000, seed: 6);
        var (tr, val) = train.Split(0.3, seed: 6);
        // A large learning rate on a small set: validation loss rises after a few epochs.
        var spec = new TrainSpec { Model = "net3", Epochs = 30, LearningRate = 3e-3, EarlyStoppingPatience = 2, RestoreBestWeights = true };
        var run = Trainer.Train(spec, tr, val, cache: new RunCache(TestData.TempStore()));
        Assert.True(run.StoppedEarly);
        Assert.True(run.EpochsRun < 30);
        var best = run.History.ArgMin("val_loss")!.Value;
        Assert.Equal(best + 2, run.EpochsRun);
        // Restored: the final validation loss is the best epoch's.
        Assert.Equal(run.History.Epochs[best - 1].ValidationLoss!.Value, run.Validation!.Loss, 4);
    }
}
