using Workbook.Scratch;
using Workbook.Training;
using Xunit;

namespace Workbook.Tests.Scratch;

public sealed class CacheTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("scratch-runs").FullName;
    readonly ScratchConfig config = ScratchConfig.SoftmaxBaseline with { HiddenSizes = [64], LearningRate = 0.1, Epochs = 2 };

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void A_second_call_loads_the_same_run_and_a_corrupted_entry_is_retrained()
    {
        var store = new RunStore(root);
        var trained = ScratchTrainer.TrainCached(config, ScratchData.Train, ScratchData.Validation, ScratchData.Test, cache: new RunCache(store));
        Assert.False(trained.FromCache);
        Assert.Equal(ScratchTrainer.CacheKey(config, ScratchData.Train, ScratchData.Validation, ScratchData.Test), trained.CacheKey);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var loaded = ScratchTrainer.TrainCached(config, ScratchData.Train, ScratchData.Validation, ScratchData.Test, cache: new RunCache(store));
        Assert.True(loaded.FromCache);
        Assert.True(clock.Elapsed.TotalSeconds < 5, $"loading took {clock.Elapsed.TotalSeconds:F2}s");
        AssertSameRun(trained, loaded);
        // The loaded network is the trained one: it predicts the same.
        Assert.Equal(trained.TestPredictions, ScratchTrainer.Predict(loaded.Network!, ScratchData.Test));

        // Damage one file: the store's checksum catches it, the entry goes and the run is trained again.
        File.AppendAllText(Path.Combine(root, trained.CacheKey!, "run.json"), " ");
        var retrained = ScratchTrainer.TrainCached(config, ScratchData.Train, ScratchData.Validation, ScratchData.Test, cache: new RunCache(store));
        Assert.False(retrained.FromCache);
        AssertSameRun(trained, retrained);
        Assert.True(ScratchTrainer.TrainCached(config, ScratchData.Train, ScratchData.Validation, ScratchData.Test, cache: new RunCache(store)).FromCache);
    }

    [Fact]
    public void A_diverged_run_round_trips_with_its_NaN_loss()
    {
        var store = new RunStore(root);
        var diverging = ScratchConfig.SoftmaxBaseline with { LearningRate = 1e4, Epochs = 3 }; // as in TrainingTests: NaN in epoch 1
        var trained = ScratchTrainer.TrainCached(diverging, ScratchData.Train, ScratchData.Validation, ScratchData.Test, cache: new RunCache(store));
        var loaded = ScratchTrainer.TrainCached(diverging, ScratchData.Train, ScratchData.Validation, ScratchData.Test, cache: new RunCache(store));
        Assert.True(trained.Diverged);
        Assert.True(loaded.FromCache);
        AssertSameRun(trained, loaded);
    }

    [Fact]
    public void Different_data_or_config_is_a_different_entry()
    {
        var a = ScratchTrainer.CacheKey(config, ScratchData.Train, ScratchData.Validation, ScratchData.Test);
        Assert.NotEqual(a, ScratchTrainer.CacheKey(config with { Seed = 1 }, ScratchData.Train, ScratchData.Validation, ScratchData.Test));
        Assert.NotEqual(a, ScratchTrainer.CacheKey(config, ScratchData.Train, ScratchData.Validation, null));
    }

    static void AssertSameRun(ScratchResult expected, ScratchResult actual)
    {
        Assert.Equal(expected.History.Epochs, actual.History.Epochs.Select((e, i) => e with { Seconds = expected.History.Epochs[i].Seconds }));
        Assert.Equal(expected.TrainAccuracy, actual.TrainAccuracy);
        Assert.Equal(expected.ValidationAccuracy, actual.ValidationAccuracy);
        Assert.Equal(expected.TestAccuracy, actual.TestAccuracy);
        Assert.Equal(expected.TestLoss, actual.TestLoss);
        Assert.Equal(expected.Diverged, actual.Diverged);
        Assert.Equal(expected.TestPredictions, actual.TestPredictions);
        Assert.Equal(expected.Snapshots.Select(s => (s.Label, s.Epoch, s.Inputs, s.Outputs)), actual.Snapshots.Select(s => (s.Label, s.Epoch, s.Inputs, s.Outputs)));
        for (int i = 0; i < expected.Snapshots.Count; i++) Assert.Equal(expected.Snapshots[i].Values, actual.Snapshots[i].Values);
    }
}
