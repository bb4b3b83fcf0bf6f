using System.Diagnostics;
using TorchSharp;
using Workbook.Data;
using Workbook.Evaluation;
using Workbook.Models;
using Workbook.Runtime;
using static TorchSharp.torch;
using Seq = TorchSharp.Modules.Sequential;

namespace Workbook.Training;

/// <summary>
/// The one training loop of the workbook. <see cref="Train"/> asks the run cache first; only a run that
/// is neither in this machine's cache nor in the published results is trained by <see cref="Fit"/>.
/// </summary>
public static class Trainer
{
    /// <summary>
    /// Trains <paramref name="spec"/> on <paramref name="train"/> (or loads it), evaluating on
    /// <paramref name="validation"/> and <paramref name="test"/> after each epoch. Set
    /// <paramref name="needModel"/> when the caller uses <see cref="TrainedRun.Model"/>: a published run
    /// without weights is then trained again. Never throws for a diverging run: it stops and comes back
    /// marked <see cref="TrainedRun.Diverged"/>.
    /// </summary>
    public static TrainedRun Train(TrainSpec spec, Dataset train, Dataset? validation = null, Dataset? test = null,
        Action<TrainingProgress>? progress = null, RunCache? cache = null, bool needModel = false)
    {
        cache ??= RunCache.Default;
        string name = spec.Name.Length > 0 ? spec.Name : spec.Model;
        void Report(TrainingProgress p) { progress?.Invoke(p); TrainingEvents.Publish(p); }

        // One model serves the key (its architecture, its convolutions) and then either stored weights or
        // training; it is built right after seeding, so its initial weights are the seed's.
        manual_seed(spec.Seed);
        var model = ModelZoo.Build(spec.Model, train.NumClasses);
        var format = new TrainedRunFormat(model, validation, test);
        var architecture = ModelSummary.Of(spec.Model, model).Signature;
        var key = KeyOf(spec, architecture, [train.Id, validation?.Id ?? "", test?.Id ?? ""], ConvolutionGuard.NeedsPlainKernels(model));
        var run = cache.Resolve(format, key, name, () => Fit(spec, name, key, architecture, model, train, validation, test, Report), needModel, Report);
        return run with { Name = name, Spec = spec };
    }

    /// <summary>
    /// <see cref="Train"/> once per seed (the spec's own seed is replaced); runs after the first are named
    /// "name, seed s". Only the first seed's model is kept when <paramref name="needModel"/> is set.
    /// </summary>
    public static SeedRuns TrainSeeds(TrainSpec spec, IReadOnlyList<int> seeds, Dataset train, Dataset? validation = null,
        Dataset? test = null, Action<TrainingProgress>? progress = null, RunCache? cache = null, bool needModel = false) =>
        TrainSeeds(spec, seeds, _ => train, validation, test, progress, cache, needModel, freeEach: false);

    /// <summary>
    /// As above, with each seed's training set made by <paramref name="trainOf"/> (e.g. augmentation drawn with
    /// that seed); with <paramref name="freeEach"/> each set is freed right after its run, so memory does not
    /// grow with the number of seeds.
    /// </summary>
    public static SeedRuns TrainSeeds(TrainSpec spec, IReadOnlyList<int> seeds, Func<int, Dataset> trainOf, Dataset? validation,
        Dataset? test, Action<TrainingProgress>? progress, RunCache? cache, bool needModel, bool freeEach)
    {
        if (seeds.Count == 0) throw new ArgumentException("at least one seed is needed", nameof(seeds));
        string name = spec.Name.Length > 0 ? spec.Name : spec.Model;
        var runs = new List<TrainedRun>();
        for (int i = 0; i < seeds.Count; i++)
        {
            var train = trainOf(seeds[i]);
            try
            {
                var named = spec with { Seed = seeds[i], Name = i == 0 ? name : $"{name}, seed {seeds[i]}" };
                // The display name of every seed's run is the experiment's; the progress reports told them apart.
                runs.Add(Train(named, train, validation, test, progress, cache, needModel && i == 0) with { Name = name });
            }
            finally
            {
                if (freeEach) { train.Images.Dispose(); train.Labels.Dispose(); }
            }
        }
        return new SeedRuns(spec with { Seed = seeds[0] }, runs);
    }

    /// <summary>
    /// The key of a run: the trainer's code version and everything that determines its numbers (the spec,
    /// the model's layers, the data ids of train, validation and test, and whether convolutions run on
    /// libtorch's plain kernels: see <see cref="ConvolutionGuard"/>).
    /// </summary>
    public static string KeyOf(TrainSpec spec, string architecture, string[] dataIds, bool plainConvolutions) =>
        RunCache.KeyOf(TrainedRunFormat.KindName, CodeVersion.Trainer, new { spec = spec.KeyPart, architecture, dataIds, plainConvolutions });

    /// <summary>The epoch loop: train, evaluate, apply the learning-rate and early-stopping policies.</summary>
    static TrainedRun Fit(TrainSpec spec, string name, string key, string architecture, Seq model, Dataset train, Dataset? validation, Dataset? test,
        Action<TrainingProgress> report)
    {
        var device = Compute.Device;
        model.to(device);
        using var kernels = ConvolutionGuard.For(model); // every batch's forward and backward run inside it
        var parameters = model.parameters().ToList();
        using var optimizer = Optimizer.For(spec, parameters);
        var decay = new LearningRateDecay(spec.DecayOnValidationDrop);
        using var stopping = new EarlyStopping(spec.EarlyStoppingPatience, spec.RestoreBestWeights);
        var data = new DeviceData(train, device);
        var history = new History();
        var clock = Stopwatch.StartNew();
        RunState state = RunState.Finished;
        report(new TrainingProgress(name, 0, spec.Epochs, null, RunState.Running, 0));

        for (int epoch = 1; epoch <= spec.Epochs; epoch++)
        {
            var record = TrainEpoch(spec, model, parameters, optimizer, data, epoch,
                batches => report(new TrainingProgress(name, epoch - 1, spec.Epochs, history.Last, RunState.Running, clock.Elapsed.TotalSeconds, batches.Done, batches.Total)));
            record = record with { LearningRate = optimizer.LearningRate };
            if (!double.IsFinite(record.TrainLoss)) { history.Epochs.Add(record); state = RunState.Diverged; break; }
            if (validation != null)
            {
                var v = Evaluator.Evaluate(model, validation, spec.Loss);
                record = record with { ValidationLoss = v.Loss, ValidationAccuracy = v.Accuracy };
            }
            if (test != null && spec.TestEveryEpoch)
            {
                var t = Evaluator.Evaluate(model, test, spec.Loss);
                record = record with { TestLoss = t.Loss, TestAccuracy = t.Accuracy };
            }
            history.Epochs.Add(record);
            optimizer.LearningRate = decay.Next(optimizer.LearningRate, history);
            bool stop = stopping.ShouldStop(model, record, last: epoch == spec.Epochs);
            if (stop) state = RunState.StoppedEarly;
            report(new TrainingProgress(name, epoch, spec.Epochs, record, stop || epoch == spec.Epochs ? state : RunState.Running, clock.Elapsed.TotalSeconds));
            if (stop) break;
        }
        if (state == RunState.Diverged) report(new TrainingProgress(name, history.Count, spec.Epochs, history.Last, state, clock.Elapsed.TotalSeconds));

        stopping.RestoreBest(model);
        data.Dispose();
        model.eval();
        return new TrainedRun
        {
            Name = name, Spec = spec, Key = key, Architecture = architecture,
            DataIds = [train.Id, validation?.Id ?? "", test?.Id ?? ""], History = history,
            Test = test is null ? null : Evaluator.Evaluate(model, test, spec.Loss),
            Validation = validation is null ? null : Evaluator.Evaluate(model, validation, spec.Loss),
            Diverged = state == RunState.Diverged, DivergedAtEpoch = state == RunState.Diverged ? history.Count : null,
            StoppedEarly = state == RunState.StoppedEarly, Parameters = ModelZoo.ParameterCount(model),
            Device = Compute.Description, Model = model, Source = RunSource.Trained,
        };
    }

    /// <summary>One pass over the shuffled training data; the loss and accuracy are averages over its batches.</summary>
    static EpochRecord TrainEpoch(TrainSpec spec, Seq model, List<TorchSharp.Modules.Parameter> parameters, Optimizer optimizer,
        DeviceData data, int epoch, Action<(int Done, int Total)> tick)
    {
        model.train();
        var watch = Stopwatch.StartNew();
        int count = data.Count, batches = (count + spec.BatchSize - 1) / spec.BatchSize, batch = 0;
        using var order = tensor(Dataset.Permutation(count, Dataset.ShuffleSeed(spec.Seed, epoch)), device: data.Device);
        // Sums stay on the device: no synchronisation per batch.
        using var lossSum = zeros(1, dtype: float64, device: data.Device);
        using var correct = zeros(1, dtype: int64, device: data.Device);
        var lastTick = Stopwatch.StartNew();
        for (int start = 0; start < count; start += spec.BatchSize, batch++)
        {
            if (lastTick.ElapsedMilliseconds >= 1000) { tick((batch, batches)); lastTick.Restart(); }
            using var scope = NewDisposeScope();
            var idx = order.narrow(0, start, Math.Min(spec.BatchSize, count - start));
            var x = data.Images.index_select(0, idx);
            var y = data.Labels.index_select(0, idx);
            foreach (var p in parameters) p.grad = null; // set_to_none: see environment.md, "Clearing gradients"
            var logits = model.call(x);
            var loss = Losses.Compute(spec.Loss, logits, y);
            var penalty = Losses.Penalty(parameters, spec.L1, spec.L2);
            (penalty is null ? loss : loss + penalty).backward();
            optimizer.Step();
            // An explicit Scalar held to the end of the batch (TorchSharp can free implicit ones mid-call).
            using var batchSize = ((double)idx.shape[0]).ToScalar();
            lossSum.add_(loss.detach().to(float64).mul(batchSize));
            correct.add_(logits.argmax(1).eq(y).sum());
        }
        return new EpochRecord
        {
            Epoch = epoch,
            TrainLoss = lossSum.item<double>() / count,
            TrainAccuracy = (double)correct.item<long>() / count,
            Seconds = watch.Elapsed.TotalSeconds,
        };
    }

    /// <summary>The training images and labels on the compute device (copied once per run on a GPU).</summary>
    sealed class DeviceData(Dataset train, Device device) : IDisposable
    {
        readonly bool copied = device.type != TorchSharp.DeviceType.CPU;
        public Device Device { get; } = device;
        public int Count { get; } = train.Count;
        public Tensor Images { get; } = device.type == TorchSharp.DeviceType.CPU ? train.Images : train.Images.to(device);
        public Tensor Labels { get; } = device.type == TorchSharp.DeviceType.CPU ? train.Labels : train.Labels.to(device);
        public void Dispose() { if (copied) { Images.Dispose(); Labels.Dispose(); } }
    }
}

/// <summary>Report 003's rule: multiply the learning rate by a factor whenever validation accuracy falls.</summary>
public sealed class LearningRateDecay(double? factor)
{
    /// <summary>The learning rate for the next epoch, given the history so far.</summary>
    public double Next(double learningRate, History history)
    {
        if (factor is not { } f || history.Count < 2) return learningRate;
        return history.Epochs[^2].ValidationAccuracy is { } before && history.Epochs[^1].ValidationAccuracy is { } now && now < before
            ? learningRate * f : learningRate;
    }
}

/// <summary>Keras-style early stopping on validation loss, optionally going back to the best weights.</summary>
public sealed class EarlyStopping(int? patience, bool restoreBest) : IDisposable
{
    double best = double.PositiveInfinity;
    int sinceBest;
    Dictionary<string, Tensor>? bestWeights;

    /// <summary>Notes this epoch; true when training should stop now (never after the last epoch).</summary>
    public bool ShouldStop(Seq model, EpochRecord record, bool last)
    {
        if (patience is not { } p || record.ValidationLoss is not { } loss) return false;
        if (loss < best)
        {
            best = loss;
            sinceBest = 0;
            if (restoreBest) Snapshot(model);
            return false;
        }
        return ++sinceBest >= p && !last;
    }

    /// <summary>Loads the best weights into the model, when they were kept.</summary>
    public void RestoreBest(Seq model)
    {
        if (bestWeights != null) model.load_state_dict(bestWeights);
    }

    void Snapshot(Seq model)
    {
        Dispose();
        using var _ = no_grad();
        bestWeights = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
    }

    /// <summary>Frees the kept weights.</summary>
    public void Dispose()
    {
        if (bestWeights != null) foreach (var t in bestWeights.Values) t.Dispose();
        bestWeights = null;
    }
}
