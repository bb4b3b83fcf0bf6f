using Workbook.Scratch;
using Workbook.Tests.Scratch;
using Workbook.Training;
using Xunit;

namespace Workbook.Tests;

/// <summary>The run cache with published results: publishing, loading, retraining to get a model, comparing.</summary>
[Collection(TrainingCollection.Name)]
public class RunCacheTests
{
    static readonly TrainSpec Spec = new() { Name = "tiny", Model = "net1", Epochs = 2, Seed = 3 };

    static (Workbook.Data.Dataset Train, Workbook.Data.Dataset Test) Data() =>
        (TestData.Real.Train.Subset(800, seed: 11), TestData.Real.Test.Subset(300, seed: 11));

    static PublishedResults TempResults() => new(Directory.CreateTempSubdirectory("wb-results").FullName);

    [Fact]
    public void A_published_run_is_loaded_on_a_fresh_machine_with_the_same_numbers()
    {
        var (train, test) = Data();
        var results = TempResults();
        var trained = Trainer.Train(Spec, train, test: test, cache: new RunCache(TestData.TempStore(), results) { Publish = true });
        Assert.Equal(RunSource.Trained, trained.Source);
        var file = results.PathOf(trained.Key);
        Assert.NotNull(file);
        Assert.Null(PublishedResults.Read(file!).Weights); // no model was asked for: no weights published

        // A fresh clone: empty local cache, the published results only.
        var loaded = Trainer.Train(Spec, train, test: test, cache: new RunCache(TestData.TempStore(), results));
        Assert.Equal(RunSource.Published, loaded.Source);
        Assert.Null(loaded.Model);
        Assert.Equal(trained.History.Series("train_loss"), loaded.History.Series("train_loss"));
        Assert.Equal(trained.Test!.Predictions, loaded.Test!.Predictions);
        Assert.Equal(trained.Test.Confusion, loaded.Test.Confusion);
        Assert.Equal(trained.TestAccuracy, loaded.TestAccuracy);
        Assert.Equal(trained.Key, loaded.Key);
        Assert.NotNull(loaded.Provenance);
        Assert.True(loaded.Provenance!.Threads > 0);
    }

    [Fact]
    public void A_step_that_needs_the_model_retrains_a_published_run_and_gets_the_same_numbers()
    {
        var (train, test) = Data();
        var results = TempResults();
        Trainer.Train(Spec, train, test: test, cache: new RunCache(TestData.TempStore(), results) { Publish = true });
        RunLog.Clear();
        var again = Trainer.Train(Spec, train, test: test, cache: new RunCache(TestData.TempStore(), results), needModel: true);
        Assert.Equal(RunSource.Trained, again.Source);
        Assert.NotNull(again.Model);
        var entry = Assert.Single(RunLog.Entries);
        Assert.NotNull(entry.Comparison);
        Assert.True(entry.Comparison!.Identical, entry.Comparison.ToString());
    }

    [Fact]
    public void Small_weights_are_published_when_the_model_is_needed_and_then_loaded()
    {
        var (train, test) = Data();
        var results = TempResults();
        var trained = Trainer.Train(Spec, train, test: test, cache: new RunCache(TestData.TempStore(), results) { Publish = true }, needModel: true);
        var record = PublishedResults.Read(results.PathOf(trained.Key)!);
        Assert.NotNull(record.Weights);
        var loaded = Trainer.Train(Spec, train, test: test, cache: new RunCache(TestData.TempStore(), results), needModel: true);
        Assert.Equal(RunSource.Published, loaded.Source);
        var predictions = Workbook.Evaluation.Evaluator.Evaluate(loaded.Model!, test).Predictions;
        Assert.Equal(trained.Test!.Predictions, predictions);
    }

    [Fact]
    public void Retraining_reports_where_a_tampered_record_differs()
    {
        var (train, test) = Data();
        var results = TempResults();
        var trained = Trainer.Train(Spec, train, test: test, cache: new RunCache(TestData.TempStore(), results) { Publish = true });
        var path = results.PathOf(trained.Key)!;
        var text = File.ReadAllText(path);
        var accuracy = trained.Test!.Accuracy.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(accuracy, text);
        File.WriteAllText(path, text.Replace(accuracy, "0.999"));

        RunLog.Clear();
        Trainer.Train(Spec, train, test: test, cache: new RunCache(TestData.TempStore(), results) { Mode = CacheMode.Retrain });
        var comparison = Assert.Single(RunLog.Entries).Comparison!;
        Assert.False(comparison.Identical);
        Assert.Contains(comparison.Differences, d => d.StartsWith("test accuracy: 0.999 ->"));
    }

    [Fact]
    public void A_scratch_run_goes_through_the_same_cache_and_published_results()
    {
        var config = ScratchConfig.SoftmaxBaseline with { HiddenSizes = [32], LearningRate = 0.1, Epochs = 1 };
        var results = TempResults();
        var trained = ScratchTrainer.TrainCached(config, ScratchData.Train, ScratchData.Validation, ScratchData.Test,
            cache: new RunCache(TestData.TempStore(), results) { Publish = true });
        var loaded = ScratchTrainer.TrainCached(config, ScratchData.Train, ScratchData.Validation, ScratchData.Test,
            cache: new RunCache(TestData.TempStore(), results));
        Assert.Equal(RunSource.Published, loaded.Source);
        Assert.Null(loaded.Network);
        Assert.Equal(trained.TestPredictions, loaded.TestPredictions);
        Assert.Equal(trained.History.Series("val_acc"), loaded.History.Series("val_acc"));
        var withModel = ScratchTrainer.TrainCached(config, ScratchData.Train, ScratchData.Validation, ScratchData.Test,
            cache: new RunCache(TestData.TempStore(), results), needModel: true);
        Assert.NotNull(withModel.Network);
        Assert.Equal(trained.Snapshots.Count, withModel.Snapshots.Count);
        Assert.Equal(trained.Snapshots[^1].Values, withModel.Snapshots[^1].Values);
    }
    [Fact]
    public void A_scratch_model_is_published_with_its_snapshots_and_loaded_without_training()
    {
        var config = ScratchConfig.SoftmaxBaseline with { HiddenSizes = [32], LearningRate = 0.1, Epochs = 1 };
        var results = TempResults();
        var trained = ScratchTrainer.TrainCached(config, ScratchData.Train, ScratchData.Validation, ScratchData.Test,
            cache: new RunCache(TestData.TempStore(), results) { Publish = true }, needModel: true);
        var record = PublishedResults.Read(results.PathOf(trained.CacheKey!)!);
        Assert.Equal(trained.CacheKey + ".snapshots.bin", Assert.Single(record.OtherModelFiles!).File);

        var loaded = ScratchTrainer.TrainCached(config, ScratchData.Train, ScratchData.Validation, ScratchData.Test,
            cache: new RunCache(TestData.TempStore(), results), needModel: true);
        Assert.Equal(RunSource.Published, loaded.Source);
        Assert.NotNull(loaded.Network);
        Assert.Equal(trained.Snapshots[^1].Values, loaded.Snapshots[^1].Values);

        // A damaged snapshot file is not used: the run is trained again, with the same numbers.
        var snapshots = Path.Combine(Path.GetDirectoryName(results.PathOf(trained.CacheKey!)!)!, record.OtherModelFiles![0].File);
        File.WriteAllBytes(snapshots, new byte[16]);
        var retrained = ScratchTrainer.TrainCached(config, ScratchData.Train, ScratchData.Validation, ScratchData.Test,
            cache: new RunCache(TestData.TempStore(), results), needModel: true);
        Assert.Equal(RunSource.Trained, retrained.Source);
        Assert.Equal(trained.Snapshots[^1].Values, retrained.Snapshots[^1].Values);
    }

    [Fact]
    public void A_publishing_run_attaches_its_local_model_to_a_record_published_without_one()
    {
        var config = ScratchConfig.SoftmaxBaseline with { HiddenSizes = [32], LearningRate = 0.1, Epochs = 1 };
        var results = TempResults();
        var local = TestData.TempStore();
        // Published without the model (no step needed it), kept with it in this machine's cache.
        var trained = ScratchTrainer.TrainCached(config, ScratchData.Train, ScratchData.Validation, ScratchData.Test,
            cache: new RunCache(local, results) { Publish = true });
        Assert.Null(PublishedResults.Read(results.PathOf(trained.CacheKey!)!).Weights);
        var provenance = PublishedResults.Read(results.PathOf(trained.CacheKey!)!).Provenance;

        // A later publishing run needs the model and finds it locally: the published record gains the files.
        ScratchTrainer.TrainCached(config, ScratchData.Train, ScratchData.Validation, ScratchData.Test,
            cache: new RunCache(local, results) { Publish = true }, needModel: true);
        var record = PublishedResults.Read(results.PathOf(trained.CacheKey!)!);
        Assert.NotNull(record.Weights);
        Assert.Equal(provenance, record.Provenance);

        var fresh = ScratchTrainer.TrainCached(config, ScratchData.Train, ScratchData.Validation, ScratchData.Test,
            cache: new RunCache(TestData.TempStore(), results), needModel: true);
        Assert.Equal(RunSource.Published, fresh.Source);
        Assert.Equal(trained.Snapshots[^1].Values, fresh.Snapshots[^1].Values);
    }
}
